import Connectors
import Foundation

/// The second pass over the file: reads it in blocking reads of `readSize` bytes, parses it, hashes it again (to
/// notice a file that changed since the first pass), and hands out the items in chunks of `chunkSize`.
struct ChunkReader {
    private let handle: FileHandle
    private let path: String
    private let readSize: Int
    private let chunkSize: Int
    private var parser = CustomerFileParser()
    private var digest = CustomerFileDigest()
    private var pending: [CustomerFileItem] = []
    private var atEnd = false
    /// Bytes read so far.
    private(set) var bytesRead = 0

    init(path: String, readSize: Int, chunkSize: Int) throws {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw CustomerImportError(code: .fileChanged, message: "\(path) can no longer be opened; import it again")
        }
        self.handle = handle
        self.path = path
        self.readSize = readSize
        self.chunkSize = chunkSize
    }

    /// Reads until the header is known.
    /// - Throws: ``Connectors/CustomerFileError`` for a file without a usable header.
    mutating func readHeader() throws {
        while parser.header == nil, !atEnd { try readMore() }
    }

    /// The next chunk of items; empty at the end of the file.
    /// - Throws: ``Connectors/CustomerFileError`` or ``CustomerImportError``.
    mutating func next() throws -> [CustomerFileItem] {
        while pending.count < chunkSize, !atEnd { try readMore() }
        guard pending.count > chunkSize else {
            defer { pending = [] }
            return pending
        }
        defer { pending.removeFirst(chunkSize) }
        return Array(pending[..<chunkSize])
    }

    /// The SHA-256 of everything read.
    var sha256: String { digest.finalize() }

    private mutating func readMore() throws {
        let data: Data?
        do {
            data = try handle.read(upToCount: readSize)
        } catch {
            atEnd = true
            try? handle.close()
            throw CustomerImportError(code: .fileChanged, message: "\(path) could not be read to the end (\(error)); import it again")
        }
        guard let data, !data.isEmpty else {
            atEnd = true
            try? handle.close()
            pending += try parser.finish()
            return
        }
        bytesRead += data.count
        digest.update(data)
        pending += try parser.parse(data)
    }
}
