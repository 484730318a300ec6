import Foundation

/// Streams a customer file (a CSV file as described in `docs/csv-format.md`) as ``CustomerFileItem``s.
///
/// ```swift
/// for try await item in CustomerFileReader().items(inFileAt: path) {
///     switch item {
///     case .row(let row): ...            // row.fields["customer_number"], row.fields["email"], ...
///     case .rejected(let rejection): ... // rejection.rowNumber, rejection.problems[0].column
///     }
/// }
/// ```
///
/// The file is read in chunks of ``chunkSize`` bytes; memory stays flat whatever the file's size. A bad row is
/// yielded as a rejection and reading goes on. A problem with the whole file (empty, no usable header, duplicate
/// columns, no customer number column, not UTF-8, unreadable) is thrown as ``CustomerFileError``, possibly after
/// some rows were yielded (invalid UTF-8 is found where it occurs): treat the whole file as refused then.
///
/// Reading a file does blocking `read(2)` calls of one chunk each; for very large files prefer running the loop
/// off the cooperative pool, or feed ``CustomerFileParser`` from an asynchronous source.
public struct CustomerFileReader: Sendable {
    /// The limits in force.
    public var limits: CustomerFileLimits
    /// How many bytes are read at a time. Default 256 KiB.
    public var chunkSize: Int

    /// Creates a reader.
    public init(limits: CustomerFileLimits = CustomerFileLimits(), chunkSize: Int = 256 * 1024) {
        precondition(chunkSize > 0)
        self.limits = limits
        self.chunkSize = chunkSize
    }

    /// The items of the file at `path`.
    public func items(inFileAt path: String) -> Items {
        Items(source: .file(path), limits: limits, chunkSize: chunkSize)
    }

    /// The items of a file already in memory.
    public func items(in bytes: some Collection<UInt8>) -> Items {
        Items(source: .bytes(Array(bytes)), limits: limits, chunkSize: chunkSize)
    }

    /// The items of a file, as an asynchronous sequence.
    public struct Items: AsyncSequence, Sendable {
        /// Each element is a row or a rejected row.
        public typealias Element = CustomerFileItem

        enum Source: Sendable {
            case file(String)
            case bytes([UInt8])
        }

        let source: Source
        let limits: CustomerFileLimits
        let chunkSize: Int

        /// Creates the iterator.
        public func makeAsyncIterator() -> Iterator {
            Iterator(source: source, parser: CustomerFileParser(limits: limits), chunkSize: chunkSize)
        }

        /// Collects every item (for small files and tests).
        public func collect() async throws -> [CustomerFileItem] {
            var items: [CustomerFileItem] = []
            for try await item in self { items.append(item) }
            return items
        }

        /// Reads the file chunk by chunk.
        public struct Iterator: AsyncIteratorProtocol {
            private enum State {
                case unopened(Source)
                case file(FileHandle, path: String)
                case bytes([UInt8], offset: Int)
                /// The input is exhausted; the parser still has to finish.
                case closed
                case finished
            }

            private var state: State
            private var parser: CustomerFileParser
            private let chunkSize: Int
            private var pending: [CustomerFileItem] = []
            private var pendingIndex = 0

            init(source: Source, parser: CustomerFileParser, chunkSize: Int) {
                self.state = .unopened(source)
                self.parser = parser
                self.chunkSize = chunkSize
            }

            /// The next row or rejection; `nil` at the end of the file.
            /// - Throws: ``CustomerFileError``.
            public mutating func next() async throws -> CustomerFileItem? {
                while pendingIndex == pending.count {
                    pending.removeAll(keepingCapacity: true)
                    pendingIndex = 0
                    guard let chunk = try readChunk() else {
                        if case .finished = state { return nil }
                        state = .finished
                        pending = try parser.finish()
                        continue
                    }
                    pending = try parser.parse(chunk)
                }
                defer { pendingIndex += 1 }
                return pending[pendingIndex]
            }

            /// The next chunk, or `nil` at the end (the state is then ready for `finish`).
            private mutating func readChunk() throws(CustomerFileError) -> [UInt8]? {
                switch state {
                case .unopened(.file(let path)):
                    guard let handle = FileHandle(forReadingAtPath: path) else {
                        state = .finished
                        throw .unreadable(path: path, reason: "the file does not exist or cannot be opened")
                    }
                    state = .file(handle, path: path)
                    return try readChunk()
                case .unopened(.bytes(let bytes)):
                    state = .bytes(bytes, offset: 0)
                    return try readChunk()
                case .file(let handle, let path):
                    let data: Data?
                    do {
                        data = try handle.read(upToCount: chunkSize)
                    } catch {
                        try? handle.close()
                        state = .finished
                        throw .unreadable(path: path, reason: "\(error)")
                    }
                    guard let data, !data.isEmpty else {
                        try? handle.close()
                        state = .closed
                        return nil
                    }
                    return [UInt8](data)
                case .bytes(let bytes, let offset):
                    guard offset < bytes.count else {
                        state = .closed
                        return nil
                    }
                    let end = Swift.min(bytes.count, offset + chunkSize)
                    state = .bytes(bytes, offset: end)
                    return Array(bytes[offset..<end])
                case .closed, .finished:
                    return nil
                }
            }
        }
    }
}
