import Crypto
public import Foundation

/// A SHA-256 of a customer file's exact bytes, to recognise a re-import of the same file. Computed in chunks,
/// so memory stays flat for any size. The hex form is lowercase, 64 characters.
public struct CustomerFileDigest {
    private var hasher = SHA256()

    /// Starts an empty digest.
    public init() {}

    /// Adds the next bytes of the file.
    public mutating func update(_ bytes: some DataProtocol) {
        hasher.update(data: bytes)
    }

    /// The lowercase hex SHA-256 of everything added.
    public func finalize() -> String {
        Self.hex(hasher.finalize())
    }

    /// The digest of bytes in memory.
    public static func sha256(of bytes: some DataProtocol) -> String {
        hex(SHA256.hash(data: bytes))
    }

    /// The digest of the file at `path`, read in chunks of `chunkSize` bytes (blocking reads).
    /// - Throws: ``CustomerFileError`` with code ``CustomerFileError/Code/unreadable``.
    public static func sha256(ofFileAt path: String, chunkSize: Int = 256 * 1024) throws(CustomerFileError) -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw .unreadable(path: path, reason: "the file does not exist or cannot be opened")
        }
        defer { try? handle.close() }
        var digest = CustomerFileDigest()
        while true {
            let chunk: Data?
            do {
                chunk = try handle.read(upToCount: chunkSize)
            } catch {
                throw .unreadable(path: path, reason: "\(error)")
            }
            guard let chunk, !chunk.isEmpty else { break }
            digest.update(chunk)
        }
        return digest.finalize()
    }

    private static func hex(_ digest: SHA256.Digest) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(64)
        for byte in digest {
            bytes.append(digits[Int(byte >> 4)])
            bytes.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
