import Foundation

/// One cheap pass over a customer file before anything is imported from it: its SHA-256 (to recognise a
/// re-import), its size (for progress), and whether it is UTF-8 throughout.
///
/// ``CustomerFileParser`` finds invalid UTF-8 only where it occurs, possibly after many rows were read; an
/// importer that appends rows as it goes runs this first, so that a file in another encoding is refused before
/// anything of it is recorded. Memory stays flat (the file is read in chunks).
public struct CustomerFileScan: Sendable, Hashable {
    /// The lowercase hex SHA-256 of the file's exact bytes (as ``CustomerFileDigest``).
    public var sha256: String
    /// The file's size in bytes.
    public var byteCount: Int

    /// Creates a scan result.
    public init(sha256: String, byteCount: Int) {
        self.sha256 = sha256
        self.byteCount = byteCount
    }

    /// Hashes the file at `path` and checks that it is UTF-8, in one pass of blocking reads.
    /// - Parameters:
    ///   - path: The file.
    ///   - chunkSize: Bytes read at a time.
    /// - Throws: ``CustomerFileError`` with code ``CustomerFileError/Code/invalidUTF8`` (naming the line of the
    ///   first bad byte, as the parser counts lines) or ``CustomerFileError/Code/unreadable``.
    public static func scan(fileAt path: String, chunkSize: Int = 256 * 1024) throws(CustomerFileError) -> CustomerFileScan {
        precondition(chunkSize > 0)
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw .unreadable(path: path, reason: "the file does not exist or cannot be opened")
        }
        defer { try? handle.close() }
        var digest = CustomerFileDigest()
        var validator = UTF8Validator()
        var byteCount = 0
        var invalidAt: Int?
        while true {
            let chunk: Data?
            do {
                chunk = try handle.read(upToCount: chunkSize)
            } catch {
                throw .unreadable(path: path, reason: "\(error)")
            }
            guard let chunk, !chunk.isEmpty else { break }
            digest.update(chunk)
            byteCount += chunk.count
            if invalidAt == nil {
                invalidAt = chunk.withUnsafeBytes { validator.validate($0) }
                if invalidAt != nil { break }
            }
        }
        if let offset = invalidAt ?? validator.finish() {
            throw .invalidUTF8(line: try line(ofOffset: offset, inFileAt: path, chunkSize: chunkSize))
        }
        return CustomerFileScan(sha256: digest.finalize(), byteCount: byteCount)
    }

    /// The 1-based physical line of a byte offset (`\n`, `\r\n` and a lone `\r` end a line, as in ``CSVParser``).
    static func line(ofOffset offset: Int, inFileAt path: String, chunkSize: Int) throws(CustomerFileError) -> Int {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw .unreadable(path: path, reason: "the file does not exist or cannot be opened")
        }
        defer { try? handle.close() }
        var line = 1
        var position = 0
        var afterCarriageReturn = false
        while position < offset {
            let chunk: Data?
            do {
                chunk = try handle.read(upToCount: min(chunkSize, offset - position))
            } catch {
                throw .unreadable(path: path, reason: "\(error)")
            }
            guard let chunk, !chunk.isEmpty else { break }
            for byte in chunk {
                if byte == ASCII.lineFeed {
                    if !afterCarriageReturn { line += 1 }
                    afterCarriageReturn = false
                } else if byte == ASCII.carriageReturn {
                    line += 1
                    afterCarriageReturn = true
                } else {
                    afterCarriageReturn = false
                }
            }
            position += chunk.count
        }
        return line
    }
}

/// A streaming UTF-8 validator (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF) that
/// accepts input in chunks split anywhere, with a fast path for ASCII.
struct UTF8Validator {
    /// Bytes consumed so far.
    private(set) var offset = 0
    /// Continuation bytes still expected by the sequence in progress.
    private var remaining = 0
    /// The allowed range of the next continuation byte (narrower right after some lead bytes).
    private var lower: UInt8 = 0x80
    private var upper: UInt8 = 0xBF
    /// Where the sequence in progress started.
    private var sequenceStart = 0

    /// Validates the next bytes.
    /// - Returns: the offset (from the start of all input) of the first invalid sequence, or `nil`.
    mutating func validate(_ bytes: UnsafeRawBufferPointer) -> Int? {
        let count = bytes.count
        var index = 0
        defer { offset += count }
        while index < count {
            if remaining == 0 {
                // Eight ASCII bytes at a time.
                while index + 8 <= count, bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self) & 0x8080_8080_8080_8080 == 0 {
                    index += 8
                }
                guard index < count else { break }
                let byte = bytes[index]
                switch byte {
                case 0x00...0x7F: break
                case 0xC2...0xDF: begin(1, at: index)
                case 0xE0: begin(2, at: index, lower: 0xA0)
                case 0xE1...0xEC, 0xEE...0xEF: begin(2, at: index)
                case 0xED: begin(2, at: index, upper: 0x9F)
                case 0xF0: begin(3, at: index, lower: 0x90)
                case 0xF1...0xF3: begin(3, at: index)
                case 0xF4: begin(3, at: index, upper: 0x8F)
                default: return offset + index
                }
            } else {
                let byte = bytes[index]
                guard byte >= lower, byte <= upper else { return sequenceStart }
                remaining -= 1
                lower = 0x80
                upper = 0xBF
            }
            index += 1
        }
        return nil
    }

    /// Marks the end of the input.
    /// - Returns: the offset of a sequence cut off by the end, or `nil`.
    func finish() -> Int? {
        remaining > 0 ? sequenceStart : nil
    }

    private mutating func begin(_ continuations: Int, at index: Int, lower: UInt8 = 0x80, upper: UInt8 = 0xBF) {
        remaining = continuations
        sequenceStart = offset + index
        self.lower = lower
        self.upper = upper
    }
}
