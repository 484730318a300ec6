/// How a partner link came about.
public enum LinkOrigin: Hashable, Sendable, Codable {
    /// Matched automatically by this key.
    case autoMatch(key: MatchKey)
    /// Paired by a user (Select partner).
    case user
    /// The e-conomic partner was created by this outbound request.
    case created(requestId: RequestID)
    /// The file partner was created from the e-conomic customer (Create partner towards a file;
    /// immediate, no outbound call).
    case copiedToFile
}
