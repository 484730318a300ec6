import Foundation

/// Who a request comes from, for the per-client limits and login throttling.
///
/// The peer's address, unless the peer is a trusted proxy (``EdgeLimits/trustedProxies``): then
/// `X-Forwarded-For` is read from the right (each proxy appends the address it heard from), skipping the trusted
/// proxies, and the first address not trusted is the client. Entries a client wrote itself are to the left of
/// that and are never believed, so a client cannot pick its own bucket by sending the header.
enum ClientAddress {
    /// The key of a request whose peer address is not known (e.g. an in-process test client).
    static let unknown = "unknown"

    /// The client's address.
    /// - Parameters:
    ///   - peer: the address of the connection's other end (nil when not known).
    ///   - forwardedFor: every `X-Forwarded-For` value of the request, in order.
    ///   - trustedProxies: the proxies whose header is believed.
    static func resolve(peer: String?, forwardedFor: [String], trustedProxies: Set<String>) -> String {
        guard let peer else { return unknown }
        guard trustedProxies.contains(peer) else { return peer }
        let hops = forwardedFor.flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        var client = peer
        for hop in hops.reversed() {
            client = String(hop.prefix(64))
            if !trustedProxies.contains(client) { break }
        }
        return client
    }
}
