public import PGClient
public import ServiceLifecycle

/// Kills one Accord process running in this process, leaving its database what `kill -9` would leave: the database
/// refuses new sessions while the process's own (found by `application_name`) are ended, so nothing it does from that
/// instant reaches the log — its open transactions roll back, its claims and leases stay taken, an attempt under way
/// is never recorded. Then its services are shut down (cancelled after 30 s rather than hanging the run), its sessions
/// ended once more, and the database accepts sessions again. Other processes keep the sessions they have.
///
/// A graceful shutdown once the process is cut off leaves what a crash leaves. Cancelling its task instead is no
/// closer to `kill -9` and takes the whole run down: Hummingbird's server cancelled with connections still queued
/// deinitialises a NIO writer unfinished, a precondition failure (seen in seed 4 of a 40-operation chaos run).
public struct ProcessDeath: Sendable {
    private let admin: PGConnectionPool
    private let database: String

    /// - Parameters:
    ///   - admin: connections to another database of the same cluster (PostgreSQL does not let a session refuse
    ///     connections to its own database), as a role that may alter the database and end sessions.
    ///   - database: the name of the database the process uses.
    public init(admin: PGConnectionPool, database: String) {
        self.admin = admin
        self.database = database
    }

    /// Cuts the process whose sessions are named `applicationName` off the database and shuts `group` down; returns
    /// once `running` (the task running the group) has ended.
    public func kill(sessions applicationName: String, group: ServiceGroup, running: Task<Void, any Error>) async throws {
        try await setAllowConnections(false)
        do {
            try await endSessions(applicationName)
            await group.triggerGracefulShutdown()
            let deadline = Task {
                try await Task.sleep(for: .seconds(30))
                running.cancel()
            }
            _ = await running.result
            deadline.cancel()
            try await endSessions(applicationName)
        } catch {
            try? await setAllowConnections(true)
            throw error
        }
        try await setAllowConnections(true)
    }

    private func endSessions(_ applicationName: String) async throws {
        try await admin.withConnection { connection in
            _ = try await connection.query(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = \(database) AND application_name = \(applicationName)")
        }
    }

    private func setAllowConnections(_ allowed: Bool) async throws {
        try await admin.withConnection { connection in
            if allowed {
                try await connection.execute("ALTER DATABASE \(identifier: database) WITH ALLOW_CONNECTIONS true")
            } else {
                try await connection.execute("ALTER DATABASE \(identifier: database) WITH ALLOW_CONNECTIONS false")
            }
        }
    }
}
