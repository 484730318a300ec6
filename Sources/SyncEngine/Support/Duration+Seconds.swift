extension Duration {
    /// The duration in seconds, for SQL intervals (`make_interval(secs => …)`).
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
