import Foundation
import SyncDomain

/// The settings page's form: every field as the text a person typed, so a refused form comes back exactly as
/// submitted, with the problems listed. Converts to and from ``SyncDomain/TenantSettings``.
///
/// Line formats: match fields `source = economic` (append `(optional)` when an empty source value should just
/// skip the pair); mappings `source [+ source…] -> economic`; conflict policies `economicField = ask|sourceWins|economicWins`.
/// The page edits mappings one row per e-conomic field (``MappingRow``); they are kept here in the line format.
struct SettingsForm: Sendable, Hashable {
    var expectedVersion = "0"
    var matchFields = ""
    var numbering = "economic"
    var writeBackKey = ""
    /// "yes" when the write-back also reaches linked Stripe customers (a checkbox: absent when unticked).
    var writeBackLinked = "yes"
    var numberingField = ""
    var paymentTerms = ""
    var customerGroup = ""
    var currency = ""
    var layout = ""
    var vatMode = "by_country"
    var vatDomestic = ""
    var vatEU = ""
    var vatAbroad = ""
    var vatFixed = ""
    var homeCountry = ""
    var mappings = ""
    var createPolicy = "automatic"
    var conflictPolicies = ""
    var emptyOverwrites = ""

    /// The form for saved settings.
    init(_ settings: TenantSettings) {
        expectedVersion = String(settings.version)
        matchFields = settings.matchFields.map { "\($0.source) = \($0.economic)" + ($0.required ? "" : " (optional)") }.joined(separator: "\n")
        switch settings.numbering {
        case .economicAssigns(let key):
            numbering = "economic"
            writeBackKey = key ?? ""
        case .fromSource(let field):
            numbering = "source"
            numberingField = field
        }
        writeBackLinked = settings.writeBackToLinked ? "yes" : ""
        paymentTerms = String(settings.defaults.paymentTerms)
        customerGroup = String(settings.defaults.customerGroup)
        currency = settings.defaults.currency
        layout = settings.defaults.layout.map(String.init) ?? ""
        switch settings.defaults.vatZone {
        case .byCountry(let domestic, let eu, let abroad):
            vatMode = "by_country"
            (vatDomestic, vatEU, vatAbroad) = (String(domestic), String(eu), String(abroad))
        case .fixed(let zone):
            vatMode = "fixed"
            vatFixed = String(zone)
        }
        homeCountry = settings.homeCountry
        mappings = settings.fieldMappings.map { "\($0.sources.joined(separator: " + ")) -> \($0.economic)" }.joined(separator: "\n")
        createPolicy = settings.createPolicy.rawValue
        conflictPolicies = settings.conflictPolicies.keys.sorted().map { "\($0) = \(settings.conflictPolicies[$0]!.rawValue)" }
            .joined(separator: "\n")
        emptyOverwrites = settings.emptyOverwrites.sorted().joined(separator: ", ")
    }

    /// The form as posted.
    init(_ form: FormData) {
        func text(_ key: String) -> String { (form[key] ?? "").replacingOccurrences(of: "\r\n", with: "\n") }
        expectedVersion = text("expected_version")
        matchFields = text("match_fields")
        numbering = text("numbering")
        writeBackKey = text("write_back_key")
        writeBackLinked = text("write_back_linked")
        numberingField = text("numbering_field")
        paymentTerms = text("payment_terms")
        customerGroup = text("customer_group")
        currency = text("currency")
        layout = text("layout")
        vatMode = text("vat_mode")
        vatDomestic = text("vat_domestic")
        vatEU = text("vat_eu")
        vatAbroad = text("vat_abroad")
        vatFixed = text("vat_fixed")
        homeCountry = text("home_country")
        let (first, second, other) = (form.bracketed("map"), form.bracketed("map2"), form.bracketed("map_other"))
        if first.isEmpty && second.isEmpty && other.isEmpty {
            mappings = text("mappings")
        } else {
            mappings = Self.mappingFields.compactMap { field -> String? in
                let typed = (other[field.rawValue] ?? "").split(separator: "+").map { $0.trimmingCharacters(in: .whitespaces) }
                let sources = ([first[field.rawValue] ?? "", second[field.rawValue] ?? ""] + typed).filter { !$0.isEmpty }
                return sources.isEmpty ? nil : "\(sources.joined(separator: " + ")) -> \(field.rawValue)"
            }.joined(separator: "\n")
        }
        createPolicy = text("create_policy")
        conflictPolicies = text("conflict_policies")
        emptyOverwrites = text("empty_overwrites")
    }

    /// The settings the form describes, or every problem found (form syntax first, then the domain's rules).
    func settings() -> Result<(settings: TenantSettings, expectedVersion: Int), Problems> {
        var problems: [Problem] = []
        func integer(_ text: String, _ label: String, _ part: SettingsPart) -> Int {
            let trimmed = text.trimmingCharacters(in: .whitespaces)
            guard let value = Int(trimmed) else {
                problems.append(Problem(part, "\(label): '\(trimmed)' is not a whole number."))
                // A stand-in the rules accept: the form is refused for this problem already, and "number 0 is invalid"
                // would only say it twice.
                return 1
            }
            return value
        }
        func lines(_ text: String) -> [(Int, String)] {
            text.split(separator: "\n", omittingEmptySubsequences: false).enumerated().compactMap { index, line in
                let trimmed = line.trimmingCharacters(in: .whitespaces)
                return trimmed.isEmpty || trimmed.hasPrefix("#") ? nil : (index + 1, trimmed)
            }
        }

        let version = integer(expectedVersion, "Version", .version)
        var pairs: [MatchField] = []
        for (number, line) in lines(matchFields) {
            var body = line
            var required = true
            if body.hasSuffix("(optional)") {
                required = false
                body = String(body.dropLast("(optional)".count)).trimmingCharacters(in: .whitespaces)
            }
            let parts = body.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                problems.append(Problem(.matching, "Match fields, line \(number): write 'source field = e-conomic field', e.g. 'email = email'."))
                continue
            }
            pairs.append(MatchField(source: parts[0], economic: parts[1], required: required))
        }

        let numberingValue: CustomerNumbering
        switch numbering {
        case "source": numberingValue = .fromSource(field: numberingField.trimmingCharacters(in: .whitespaces))
        default:
            let key = writeBackKey.trimmingCharacters(in: .whitespaces)
            numberingValue = .economicAssigns(writeBackMetadataKey: key.isEmpty ? nil : key)
        }

        let vat: VatZoneRule
        if vatMode == "fixed" {
            vat = .fixed(zone: integer(vatFixed, "Fixed VAT zone", .defaults))
        } else {
            vat = .byCountry(
                domestic: integer(vatDomestic, "VAT zone (domestic)", .defaults), eu: integer(vatEU, "VAT zone (EU)", .defaults),
                abroad: integer(vatAbroad, "VAT zone (abroad)", .defaults))
        }
        let layoutText = layout.trimmingCharacters(in: .whitespaces)
        let defaults = NewCustomerDefaults(
            paymentTerms: integer(paymentTerms, "Payment terms", .defaults), customerGroup: integer(customerGroup, "Customer group", .defaults), vatZone: vat,
            currency: currency.trimmingCharacters(in: .whitespaces), layout: layoutText.isEmpty ? nil : integer(layoutText, "Layout", .defaults))

        var fieldMappings: [FieldMapping] = []
        for (number, line) in lines(mappings) {
            guard let mapping = Self.mapping(line) else {
                problems.append(
                    Problem(.mappings, "Field mappings, line \(number): write 'source field -> e-conomic field' (several sources joined with '+')."))
                continue
            }
            fieldMappings.append(mapping)
        }

        guard let create = CreatePolicy(rawValue: createPolicy) else {
            problems.append(Problem(.policies, "Create policy: choose automatic or manual."))
            return .failure(Problems(items: problems))
        }

        var policies: [String: ConflictPolicy] = [:]
        for (number, line) in lines(conflictPolicies) {
            let parts = line.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, let policy = ConflictPolicy(rawValue: parts[1]) else {
                problems.append(Problem(.policies, "Conflict policies, line \(number): write 'e-conomic field = ask', 'sourceWins' or 'economicWins'."))
                continue
            }
            policies[parts[0]] = policy
        }
        let overwrites = Set(emptyOverwrites.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })

        let settings = TenantSettings(
            version: max(0, version), matchFields: pairs, numbering: numberingValue, defaults: defaults,
            homeCountry: homeCountry.trimmingCharacters(in: .whitespaces), fieldMappings: fieldMappings, createPolicy: create,
            conflictPolicies: policies, emptyOverwrites: overwrites, writeBackToLinked: writeBackLinked == "yes")
        problems += Problem.all(settings)
        return problems.isEmpty ? .success((settings, version)) : .failure(Problems(items: problems))
    }

    /// A mapping line, `source [+ source…] -> economic`; nil when it is not one.
    static func mapping(_ line: String) -> FieldMapping? {
        let parts = line.components(separatedBy: "->").map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.count == 2, !parts[1].isEmpty else { return nil }
        let sources = parts[0].split(separator: "+").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        return FieldMapping(sources: sources, economic: parts[1])
    }

    /// The e-conomic fields the mapping editor offers, in catalogue order.
    static let mappingFields = EconomicField.allCases.filter(\.spec.isMappable)

    /// One row of the mapping editor: an e-conomic field and the source fields it takes its value from.
    struct MappingRow: Sendable, Hashable {
        /// The e-conomic field.
        var field: EconomicField
        /// The first and second source chosen from the list ("" for none).
        var first = ""
        var second = ""
        /// Sources typed (`metadata.…`, or more than two, joined with "+").
        var other = ""
        /// The mapping the row describes, if any source is set.
        var mapping: FieldMapping?
    }

    /// The mapping editor's rows, one per mappable e-conomic field, from the mapping lines.
    var mappingRows: [MappingRow] {
        var found: [String: [String]] = [:]
        for line in mappings.split(separator: "\n") {
            guard let mapping = Self.mapping(String(line)), found[mapping.economic] == nil else { continue }
            found[mapping.economic] = mapping.sources
        }
        let listed = Set(SourceField.known.map(\.key))
        return Self.mappingFields.map { field in
            var row = MappingRow(field: field)
            guard let sources = found[field.rawValue], !sources.isEmpty else { return row }
            row.mapping = FieldMapping(sources: sources, economic: field.rawValue)
            if sources.count <= 2 && sources.allSatisfy(listed.contains) {
                row.first = sources[0]
                row.second = sources.count == 2 ? sources[1] : ""
            } else {
                row.other = sources.joined(separator: " + ")
            }
            return row
        }
    }

    /// What is wrong with a form.
    struct Problems: Error, Sendable {
        var items: [Problem]
    }

    /// One problem, and the part of the page it is shown next to.
    struct Problem: Sendable, Hashable {
        var part: SettingsPart
        var message: String

        init(_ part: SettingsPart, _ message: String) {
            self.part = part
            self.message = message
        }

        /// Every rule the settings break (``SyncDomain/TenantSettings/validationProblems()``), each with its part.
        static func all(_ settings: TenantSettings) -> [Problem] {
            settings.validationProblems().map { Problem($0.part, $0.error.description) }
        }
    }
}
