// Admission at the api: the edge's resolve call makes users only of admitted emails.
import { describe, expect, it } from 'vitest';
import { useApi } from './helpers.js';

const api = await useApi({ RDV_OWNER_EMAIL: 'owner@example.com', RDV_ALLOWED_EMAILS: 'grace@example.com' });

describe('admission', () => {
  it('resolves owner_email to the owner and allowed_emails to users; anyone else is 403 and becomes no user', async () => {
    expect((await api.edge('/resolve-user', { email: 'Owner@Example.com' })).body.id).toBe(api.ownerId);
    const grace = await api.edge('/resolve-user', { email: 'grace@example.com' });
    expect(grace.body).toMatchObject({ email: 'grace@example.com', isOwner: false });
    for (const email of ['mallory@example.com', 'grace@example.com.evil.test', 'owner@example.org']) {
      const refused = await api.edge('/resolve-user', { email });
      expect(refused.status, email).toBe(403);
      expect(refused.body.error.message).toMatch(/not admitted/);
    }
  });
});
