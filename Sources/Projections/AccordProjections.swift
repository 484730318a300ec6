/// Every projection Accord maintains, by name.
public enum AccordProjections {
    /// The projectors, in the order they are listed to people.
    public static let all: [any Projector] = [
        TenantSettingsProjector(), CustomersProjector(), MatchIndexProjector(), PartnerLinksProjector(),
    ]

    /// The projector with this name, if any.
    public static func named(_ name: String) -> (any Projector)? { all.first { $0.name == name } }
}
