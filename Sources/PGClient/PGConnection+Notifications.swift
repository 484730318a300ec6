import CLibPQ
import Foundation

/// A `NOTIFY` received on a `LISTEN`ed channel.
public struct PGNotification: Sendable, Hashable {
    /// The channel name.
    public var channel: String
    /// The payload (empty when none was sent).
    public var payload: String
    /// The process id of the notifying backend.
    public var backendPID: Int32

    /// Makes a notification.
    public init(channel: String, payload: String, backendPID: Int32) {
        self.channel = channel
        self.payload = payload
        self.backendPID = backendPID
    }
}

extension PGConnection {
    /// Starts listening on a channel (`LISTEN "channel"`).
    /// - Throws: ``PGError``.
    public func listen(_ channel: String) async throws {
        try await execute("LISTEN \(identifier: channel)")
    }

    /// Sends a notification (`pg_notify`); it is delivered when the current transaction commits.
    /// - Throws: ``PGError``.
    public func notify(_ channel: String, payload: String = "") async throws {
        try await execute("SELECT pg_notify(\(channel), \(payload))")
    }

    /// Waits up to `timeoutMilliseconds` for notifications to arrive and returns those received (maybe none).
    /// Meant for a dedicated listening connection.
    /// - Throws: ``PGError`` with code `connectionClosed` when the connection is lost.
    public func waitForNotifications(timeoutMilliseconds: Int32) async throws -> [PGNotification] {
        try await perform { raw in
            var received = PGConnection.drainNotifications(raw)
            if !received.isEmpty { return received }
            let socket = PQsocket(raw)
            guard socket >= 0 else { throw PGConnection.connectionError(raw) }
            var descriptor = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
            let ready = poll(&descriptor, 1, timeoutMilliseconds)
            if ready < 0, errno != EINTR {
                throw PGError(code: .connectionClosed, message: "poll() failed on the listening connection (errno \(errno))")
            }
            if ready > 0 {
                guard PQconsumeInput(raw) == 1 else { throw PGConnection.connectionError(raw) }
                received = PGConnection.drainNotifications(raw)
            }
            return received
        }
    }

    private static func drainNotifications(_ raw: OpaquePointer) -> [PGNotification] {
        var received: [PGNotification] = []
        while let notify = PQnotifies(raw) {
            received.append(
                PGNotification(
                    channel: String(cString: notify.pointee.relname),
                    payload: notify.pointee.extra.map { String(cString: $0) } ?? "",
                    backendPID: notify.pointee.be_pid
                )
            )
            PQfreemem(notify)
        }
        return received
    }
}
