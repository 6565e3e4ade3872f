import { App } from '../ui/app';

/** The single page: everything else happens in the client app. */
export default function Page() {
  return <App />;
}
