import Synchronization

/// The public base URL the server is reached at, shared by every copy of a ``ServerConfiguration``: the configured
/// one, or — for a server told to pick a free port (port 0) with no public URL configured — `http://host:port` with
/// the port it bound, once it is running (before that, the port reads 0).
final class PublicAddress: Sendable {
    private let url: Mutex<String>
    private let boundHost: String?

    /// - Parameters:
    ///   - url: The URL as configured or derived from host and port.
    ///   - boundHost: The host to name with the bound port, when the URL follows the port the server binds.
    init(_ url: String, followingBindOf boundHost: String?) {
        self.url = Mutex(url)
        self.boundHost = boundHost
    }

    /// The URL now.
    var current: String { url.withLock { $0 } }

    /// The server is listening on `port`: a URL derived from a free-port request names it from now on.
    func bound(port: Int) {
        guard let boundHost, port > 0 else { return }
        url.withLock { $0 = "http://\(boundHost):\(port)" }
    }
}
