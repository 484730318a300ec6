import EconomicSandbox
public import SyncDomain

/// The operations of one chaos run, generated from a seed alone (same seed and length → same script), and the
/// tenant's starting rules.
///
/// Every value a script writes is new (names, e-mails, phones and streets carry a counter), so a value found on a
/// customer tells who wrote it. E-mails are `c<n>@chaos.example`; a customer's first e-mail names it.
public struct ChaosScript: Sendable {
    /// The seed.
    public let seed: UInt64
    /// Match fields at the start.
    public let initialRule: ChaosMatchRule
    /// Mappings at the start.
    public let initialMappings: ChaosMappings
    /// Fields for which an emptied value clears the other side (fixed for the run).
    public let emptyOverwrites: Set<EconomicField>
    /// The operations, in order (a restart's nested operations count towards the length).
    public let operations: [ChaosOperation]

    /// The key of ``ChaosOperation/editInEconomic(customer:changes:)`` that sets the credit limit, a property Accord
    /// does not model at all (it must survive every write Accord makes).
    public static let creditLimitKey = "creditLimit"
    /// The e-mail domain of every customer a run makes.
    public static let domain = "chaos.example"

    /// Generates the script of `seed` with `length` operations.
    public init(seed: UInt64, length: Int) {
        var writer = ChaosScriptWriter(seed: seed)
        self.seed = seed
        initialRule = writer.rule
        initialMappings = writer.mappings
        emptyOverwrites = writer.emptyOverwrites
        operations = writer.write(length: length)
    }

    /// Every operation, a restart's nested ones included, in the order they happen.
    public var flattened: [ChaosOperation] {
        operations.flatMap { operation -> [ChaosOperation] in
            if case .restart(let whileDown) = operation { return [operation] + whileDown }
            return [operation]
        }
    }

    /// The tenant's settings under a rule and mappings: e-conomic assigns numbers and they are written back to
    /// Stripe, automatic create, conflicts asked, the run's `emptyOverwrites` of the fields mapped (settings name no
    /// unmapped field).
    public func settings(rule: ChaosMatchRule, mappings: ChaosMappings, from current: TenantSettings) -> TenantSettings {
        var settings = current
        settings.matchFields = rule.matchFields
        settings.fieldMappings = mappings.fieldMappings
        settings.numbering = .economicAssigns(writeBackMetadataKey: ChaosScript.writeBackKey)
        settings.defaults = NewCustomerDefaults(
            paymentTerms: 1, customerGroup: 1, vatZone: .byCountry(domestic: 1, eu: 2, abroad: 3), currency: "DKK", layout: 19)
        settings.createPolicy = .automatic
        settings.conflictPolicies = [:]
        settings.emptyOverwrites = Set(emptyOverwrites.intersection(mappings.mappedFields).map(\.rawValue))
        return settings
    }

    /// The Stripe metadata key e-conomic's numbers are written back to.
    public static let writeBackKey = "economic_customer_number"
}
