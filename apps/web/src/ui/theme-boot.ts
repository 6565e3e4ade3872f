// Not a client module: the root layout (a server component) inlines this script.

export const THEME_KEY = 'rdv.theme';

/** Runs before first paint (inlined in <head>) so a dark page never flashes light. */
export const THEME_BOOT_SCRIPT = `try{var t=localStorage.getItem('${THEME_KEY}');var d=t==='dark'||(t!=='light'&&matchMedia('(prefers-color-scheme: dark)').matches);document.documentElement.dataset.theme=d?'dark':'light'}catch(e){}`;
