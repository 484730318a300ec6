public import Credentials

/// How the server checks who is calling: an API key presented with a request, or the key a web session was
/// opened with (a session carries the key's id, never its secret, and every page re-checks it, so revoking the
/// key ends its sessions). ``Credentials/APIKeyStore`` checks against the `api_keys` table; tests check in memory.
public protocol APIKeyAuthenticator: Sendable {
    /// Checks a presented key (`ak_…`).
    func authenticate(_ presented: String) async throws -> APIKeyStore.Verdict
    /// Checks that a key id still names a live key.
    func verify(keyID: String) async throws -> APIKeyStore.Verdict
}

extension APIKeyStore: APIKeyAuthenticator {}
