public import Foundation

/// Name-based UUIDs (RFC 9562 version 5: SHA-1 of namespace bytes + UTF-8 name).
///
/// Accord derives ids of things it decides (links, outbound requests) from the id of the event or
/// command that caused them plus a purpose string. Deciding twice for the same cause therefore
/// yields the same ids, and the event store's uniqueness rejects the duplicate.
public enum NameBasedUUID {
    /// Accord's own namespace for names that have no causing id (e.g. imports keyed by file hash).
    public static let accordNamespace = UUID(uuidString: "6F1C2A4E-3B7D-5C8E-9A0B-1D2E3F405162")!

    /// The version 5 UUID of `name` in `namespace`.
    /// - Parameters:
    ///   - namespace: The namespace UUID (for Accord usually the causing event's id).
    ///   - name: The name within the namespace.
    /// - Returns: A deterministic UUID with version 5 and the RFC variant bits.
    public static func make(namespace: UUID, name: String) -> UUID {
        let ns = namespace.uuid
        var bytes: [UInt8] = [
            ns.0, ns.1, ns.2, ns.3, ns.4, ns.5, ns.6, ns.7,
            ns.8, ns.9, ns.10, ns.11, ns.12, ns.13, ns.14, ns.15,
        ]
        bytes.append(contentsOf: Array(name.utf8))
        var digest = SHA1.hash(bytes)
        digest[6] = (digest[6] & 0x0F) | 0x50
        digest[8] = (digest[8] & 0x3F) | 0x80
        return UUID(
            uuid: (
                digest[0], digest[1], digest[2], digest[3], digest[4], digest[5], digest[6], digest[7],
                digest[8], digest[9], digest[10], digest[11], digest[12], digest[13], digest[14], digest[15]
            ))
    }
}
