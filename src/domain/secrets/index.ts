// The secrets' public surface: the box that seals and opens values, the credentials runs log in
// with, and the upkeep of secrets at rest (sealing, key rotation, checks).
export { compactSecretTables, holdsSealedSecrets, resealStoredSecrets, secretKeyUsage, verifySecretKey } from './at-rest.ts';
export { openProductSecrets, openValues, sealProductSecrets, sealValues, SecretKeyError, type SecretBox } from './box.ts';
export { createCredential, CredentialKind, deleteCredential, runCredentials, updateCredential } from './credentials.ts';
