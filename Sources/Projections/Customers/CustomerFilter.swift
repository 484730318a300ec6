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

    /// The `ILIKE` pattern of ``search``: its `%`, `_` and `\` escaped, inside `%…%`.
    var pattern: String { Self.likePattern(search) }

    /// The `ILIKE` pattern of a searched text: its `%`, `_` and `\` escaped, inside `%…%` (`%` for no search).
    static func likePattern(_ search: String?) -> String { search.map { "%" + CCollation.escapeLike($0) + "%" } ?? "%" }

    /// Whether one of the values contains the searched text as `ILIKE` on ``likePattern(_:)`` decides (true for no search).
    static func found(_ search: String?, in values: [String]) -> Bool {
        guard let search else { return true }
        return values.contains { CCollation.contains($0, ignoringCase: search) }
    }

    /// Whether a row passes the filter (before paging), as the SQL condition decides it.
    func matches(_ row: CustomerRow) -> Bool {
        guard (Self.systems(ofSide: side) ?? []).contains(row.system), includeDeleted || !row.deleted else { return false }
        return Self.found(search, in: [row.name ?? "", row.email ?? "", row.externalID])
    }
}
