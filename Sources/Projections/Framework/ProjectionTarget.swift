/// Which physical tables a projector writes: those of one version of the projection, or a rebuild's
/// staging copy of them.
public struct ProjectionTarget: Sendable, Hashable, CustomStringConvertible {
    /// The projection's name.
    public let projection: String
    /// The projection version whose tables are written.
    public let version: Int
    /// Set for a per-tenant rebuild's staging tables (a short random tag).
    public let stagingTag: String?

    /// The live (or building) tables of a version.
    public init(projection: String, version: Int) {
        self.projection = projection
        self.version = version
        self.stagingTag = nil
    }

    /// The staging copy of a version's tables, for a per-tenant rebuild.
    init(projection: String, version: Int, stagingTag: String) {
        self.projection = projection
        self.version = version
        self.stagingTag = stagingTag
    }

    /// The shard its checkpoint is stored under: `all`, or `rebuild:<tag>` for staging tables.
    public var shard: String { stagingTag.map { "rebuild:\($0)" } ?? "all" }

    /// The physical name of one of the projector's tables, e.g. `partner_links_v3`.
    public func physicalName(_ base: String) -> String {
        "\(base)_v\(version)" + (stagingTag.map { "_rb_\($0)" } ?? "")
    }

    /// The quoted physical name, ready to embed in SQL with `\(unsafeRaw:)` (table names come from code).
    public func table(_ base: String) -> String { "\"\(physicalName(base))\"" }

    /// `projection v3` or `projection v3 (staging tag)`.
    public var description: String { "\(projection) v\(version)" + (stagingTag.map { " (staging \($0))" } ?? "") }
}
