public import Foundation
import SyncDomain

/// Where an import stands, as `GET /api/v1/imports/{id}` answers and the import page shows: waiting or running
/// (with progress), then completed (with the counts and the rejected rows), or failed (with why).
public struct ImportStatus: Codable, Sendable, Hashable {
    /// The stage.
    public enum State: String, Codable, Sendable, Hashable {
        /// Uploaded; waits for an import slot.
        case queued
        /// Rows are being read and recorded.
        case running
        /// Every row was recorded or rejected.
        case completed
        /// Nothing more will happen: the file as a whole was refused (nothing recorded), or the import stopped
        /// part-way (uploading the same file again finishes it; nothing is recorded twice).
        case failed
        /// Recorded in part by a server that stopped since; uploading the same file again finishes it.
        case interrupted
    }

    /// How far a running import is.
    public struct Progress: Codable, Sendable, Hashable {
        /// Rows read so far.
        public var rows: Int
        /// Bytes of the file read so far.
        public var bytesRead: Int
        /// The file's size.
        public var totalBytes: Int
    }

    /// What the rows did.
    public struct Counts: Codable, Sendable, Hashable {
        /// New customers.
        public var added: Int
        /// Customers whose fields changed.
        public var updated: Int
        /// Rows identical to what was known.
        public var unchanged: Int
        /// Rows rejected.
        public var rejected: Int

        init(_ completed: ImportCompleted) {
            added = completed.added
            updated = completed.updated
            unchanged = completed.unchanged
            rejected = completed.rejected
        }
    }

    /// One rejected row.
    public struct Rejection: Codable, Sendable, Hashable {
        /// The 1-based row number (the header is row 1).
        public var row: Int
        /// The column concerned, when one is.
        public var column: String?
        /// What is wrong, for the person who fixes the file.
        public var reason: String

        init(_ rejected: ImportRowRejected) {
            row = rejected.row
            column = rejected.column
            reason = rejected.reason
        }
    }

    /// A page of rejected rows, in file order.
    public struct Rejections: Codable, Sendable, Hashable {
        /// The rows of this page.
        public var items: [Rejection]
        /// Rows rejected so far in all.
        public var total: Int
        /// The page size asked for.
        public var limit: Int
        /// Rows skipped before this page.
        public var offset: Int
    }

    /// Why an import failed.
    public struct Failure: Codable, Sendable, Hashable {
        /// A stable code: `invalid_file` (nothing recorded), `contention`, `file_changed`, `interrupted`, `internal`.
        public var code: String
        /// What to do, for a person.
        public var message: String
    }

    /// The import (the same file always has the same id).
    public var importId: String
    /// The file's name as uploaded.
    public var fileName: String
    /// The stage.
    public var state: State
    /// When the upload was recorded (absent until the file's header was accepted).
    public var receivedAt: Date?
    /// Set while running.
    public var progress: Progress?
    /// Set once completed.
    public var summary: Counts?
    /// The rejected rows recorded so far (absent when nothing was recorded).
    public var rejections: Rejections?
    /// Set when failed.
    public var error: Failure?
}

/// One import in the list of past imports.
public struct ImportListItem: Codable, Sendable, Hashable {
    /// The import.
    public var importId: String
    /// The file's name as uploaded.
    public var fileName: String
    /// `completed`, `running` or `interrupted` (see ``ImportStatus/State``).
    public var state: ImportStatus.State
    /// When the upload was recorded.
    public var receivedAt: Date
    /// The counts, once completed.
    public var summary: ImportStatus.Counts?
}
