/// Commands on one import stream.
public enum ImportCommand: Hashable, Sendable {
    /// A file was uploaded (use ``ImportID/forFile(sha256:)`` so that the same file names the same
    /// stream: re-uploading it is then a no-op).
    case receive(ImportReceived)
    /// A row could not be read.
    case rejectRow(ImportRowRejected)
    /// The import finished.
    case complete(ImportCompleted)
}
