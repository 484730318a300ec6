public import Credentials
public import EventStore

/// The people who log in to the web UI with a password (``Credentials/UserStore`` keeps them in PostgreSQL): the login
/// form checks them, and the users page lists, adds and removes them.
public protocol TenantUsers: Sendable {
    /// Checks an e-mail address and password.
    func authenticate(email: String, password: String) async throws -> UserStore.Verdict
    /// A tenant's users.
    func list(tenant: TenantID) async throws -> [UserStore.User]
    /// Adds a user; throws ``Credentials/UserStore/Error`` with a message for the person adding.
    func add(email: String, password: String, role: UserRole, tenant: TenantID) async throws -> UserStore.User
    /// Removes a user (their sessions end); false when there is none.
    func remove(userID: String, tenant: TenantID) async throws -> Bool
}

extension UserStore: TenantUsers {}
