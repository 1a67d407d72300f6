// Limits the configuration shares with the domain; a leaf module, so that reading the
// configuration loads nothing else.

/** A week: longer than any provisioning playbook should take, and far below Node's timer limit. */
export const MAX_RUN_TIMEOUT_SECONDS = 7 * 24 * 3600;
