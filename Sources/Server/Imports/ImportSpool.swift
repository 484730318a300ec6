import Connectors
import Foundation
import HTTPTypes
import NIOCore
import NIOFoundationCompat

/// A customer file uploaded to the server, written to a temporary file as its bytes arrive: the importer reads a
/// file twice (a first pass hashes it and checks that it is UTF-8), so an upload is spooled rather than held in
/// memory. The SHA-256 is computed while writing, so the import's id is known as soon as the upload ends.
final class ImportSpool {
    /// The temporary file.
    let path: String
    /// The most bytes accepted; one more refuses the upload (``APIError/payloadTooLarge(limit:)``).
    let limit: Int
    private let handle: FileHandle
    private var digest = CustomerFileDigest()
    private var pending = ByteBuffer()
    private(set) var byteCount = 0
    private var closed = false

    /// Creates an empty temporary file.
    /// - Throws: ``APIError`` 500 when the temporary directory cannot be written.
    init(limit: Int, directory: URL = FileManager.default.temporaryDirectory) throws {
        let url = directory.appendingPathComponent("accord-import-\(UUID().uuidString).csv")
        guard FileManager.default.createFile(atPath: url.path, contents: nil, attributes: [.posixPermissions: 0o600]),
            let handle = FileHandle(forWritingAtPath: url.path)
        else {
            throw APIError(.internalServerError, code: "upload_failed", message: "the upload could not be stored; try again")
        }
        self.path = url.path
        self.limit = limit
        self.handle = handle
    }

    /// Appends the next bytes of the file (written in blocks of ``blockSize``: a multipart body arrives in pieces
    /// as small as a line).
    /// - Throws: ``APIError`` 413 once the file is larger than ``limit`` (the file is removed).
    func write(_ buffer: ByteBuffer) throws {
        guard buffer.readableBytes > 0 else { return }
        byteCount += buffer.readableBytes
        guard byteCount <= limit else {
            discard()
            throw APIError(
                .contentTooLarge, code: "payload_too_large",
                message: "the file is larger than the limit of \(limit) bytes; split it and import each part")
        }
        var buffer = buffer
        pending.writeBuffer(&buffer)
        if pending.readableBytes >= Self.blockSize { try flush() }
    }

    /// Bytes written to the file at a time.
    static let blockSize = 256 * 1024

    private func flush() throws {
        guard pending.readableBytes > 0 else { return }
        let bytes = Data(buffer: pending, byteTransferStrategy: .noCopy)
        digest.update(bytes)
        do {
            try handle.write(contentsOf: bytes)
        } catch {
            discard()
            throw APIError(.internalServerError, code: "upload_failed", message: "the upload could not be stored; try again")
        }
        pending.clear()
    }

    /// Writes what is left, closes the file and hands it over.
    /// - Throws: ``APIError`` 500 when the file cannot be written.
    func finish(fileName: String) throws -> SpooledImport {
        try flush()
        close()
        return SpooledImport(path: path, fileName: fileName, sha256: digest.finalize(), byteCount: byteCount)
    }

    /// Closes and removes the file (an upload that was refused or broke off).
    func discard() {
        close()
        try? FileManager.default.removeItem(atPath: path)
    }

    private func close() {
        guard !closed else { return }
        closed = true
        try? handle.close()
    }
}

/// An uploaded customer file, complete on disk, waiting to be imported. Whoever imports it removes it.
public struct SpooledImport: Sendable, Hashable {
    /// The temporary file.
    public var path: String
    /// The name the uploader gave the file (recorded with the import).
    public var fileName: String
    /// The file's SHA-256, lowercase hex (what the import's id is derived from).
    public var sha256: String
    /// The file's size.
    public var byteCount: Int

    /// Removes the temporary file.
    public func remove() { try? FileManager.default.removeItem(atPath: path) }
}
