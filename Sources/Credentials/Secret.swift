/// A secret value (a token, an API key, a webhook signing secret) that never prints itself.
///
/// `description`, `debugDescription`, string interpolation, `dump` and log metadata all show `<redacted>`;
/// only ``revealed`` gives the value, for the one place that must send it.
public struct Secret: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    private let value: String

    /// Wraps a secret.
    public init(_ value: String) { self.value = value }

    /// The secret itself. Use it only to send it where it belongs (an HTTP header), never to log or show it.
    public var revealed: String { value }

    /// Whether the secret is empty.
    public var isEmpty: Bool { value.isEmpty }

    /// `<redacted>`
    public var description: String { "<redacted>" }

    /// `<redacted>`
    public var debugDescription: String { "<redacted>" }

    /// No children, so `dump` and `Mirror` show nothing of the value.
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}
