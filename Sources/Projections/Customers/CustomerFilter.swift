import PGClient
import SyncDomain

/// Which customers a list shows: a side, a text to look for, whether deleted ones count, and a page.
///
/// The same filter runs in SQL (``CustomerQueries/page(_:filter:)``) and over the in-memory fold
/// (``ReferenceReadModels/customers(_:filter:)``); the tests hold both to the same answers.
public struct CustomerFilter: Sendable, Hashable {
    /// `source` (Stripe and file), `economic`, `stripe` or `file`; nil for all.
    public var side: String?
    /// Text contained in the name, e-mail or id (case-insensitive; `%` and `_` are literal).
    public var search: String?
    /// Include deleted customers.
    public var includeDeleted: Bool
    /// The most rows.
    public var limit: Int
    /// Rows to skip.
    public var offset: Int

    /// Makes a filter.
    public init(side: String? = nil, search: String? = nil, includeDeleted: Bool = false, limit: Int = 50, offset: Int = 0) {
        self.side = side
        self.search = search
        self.includeDeleted = includeDeleted
        self.limit = limit
        self.offset = offset
    }

    /// The systems a side names; nil when the side is unknown (the API refuses it).
    public static func systems(ofSide side: String?) -> [String]? {
        switch side {
        case nil: return System.allCases.map(\.rawValue)
        case "source": return [System.stripe.rawValue, System.file.rawValue]
        case let side?: return System(rawValue: side).map { [$0.rawValue] }
        }
    }

    /// The `ILIKE` pattern of a searched text: its `%`, `_` and `\` escaped, inside `%…%` (`%` for no search).
    static func likePattern(_ search: String?) -> String { search.map { "%" + CCollation.escapeLike($0) + "%" } ?? "%" }

    /// SQL: the row's name, e-mail or id contains the searched text (true for no search). The row needs `name`, `email`
    /// and `external_id` columns; ``found(_:name:email:id:)`` is the same rule in memory.
    static func textCondition(_ search: String?) -> PGQuery {
        let pattern = likePattern(search)
        return "(coalesce(name, '') ILIKE \(pattern) OR coalesce(email, '') ILIKE \(pattern) OR external_id ILIKE \(pattern))"
    }

    /// In memory: a customer's name, e-mail or id contains the searched text, as ``textCondition(_:)`` decides.
    static func found(_ search: String?, name: String?, email: String?, id: String) -> Bool {
        found(search, in: [name ?? "", email ?? "", id])
    }

    /// Whether one of the values contains the searched text as `ILIKE` on ``likePattern(_:)`` decides (true for no search).
    static func found(_ search: String?, in values: [String]) -> Bool {
        guard let search else { return true }
        return values.contains { CCollation.contains($0, ignoringCase: search) }
    }

    /// Whether a row passes the filter (before paging), as the SQL condition decides it.
    func matches(_ row: CustomerRow) -> Bool {
        guard (Self.systems(ofSide: side) ?? []).contains(row.system), includeDeleted || !row.deleted else { return false }
        return Self.found(search, name: row.name, email: row.email, id: row.externalID)
    }
}
