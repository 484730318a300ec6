/// One read-model row whose live version is not what the events make of it.
public struct RowDifference: Sendable, Hashable, Codable {
    /// How the row differs.
    public enum Kind: String, Sendable, Hashable, Codable {
        /// Both sides have the row; ``RowDifference/columns`` lists the columns that disagree.
        case changed
        /// Only the live table has it: no event of the tenant makes this row.
        case onlyLive
        /// Only the rebuild has it: the live table lost it.
        case onlyRebuilt
    }

    /// One column that disagrees.
    public struct Column: Sendable, Hashable, Codable {
        /// The column name.
        public var name: String
        /// The live value as text (JSON for `jsonb` columns); nil for NULL.
        public var live: String?
        /// The rebuilt value as text; nil for NULL.
        public var rebuilt: String?

        /// Makes a column difference.
        public init(name: String, live: String?, rebuilt: String?) {
            self.name = name
            self.live = live
            self.rebuilt = rebuilt
        }
    }

    /// The row's primary key without the tenant, e.g. `system=stripe external_id=cus_1`.
    public var key: String
    /// How it differs.
    public var kind: Kind
    /// For a changed row, the columns that disagree, in the table's column order.
    public var columns: [Column]
    /// For a row only one side has, that row as JSON.
    public var row: String?

    /// Makes a row difference.
    public init(key: String, kind: Kind, columns: [Column], row: String?) {
        self.key = key
        self.kind = kind
        self.columns = columns
        self.row = row
    }
}
