import Foundation

/// Maps source customers (Stripe or file rows, source vocabulary) to e-conomic fields and back.
///
/// Rules:
/// - Values are trimmed; several sources of one mapping are joined with the mapping's separator,
///   skipping empty parts.
/// - Per kind: currencies are upper-cased and must be three letters; references must be integers
///   1…999 999 999 (written without leading zeros); countries the ``CountryTable`` knows are written
///   as their English name, unknown ones as given.
/// - Lengths are counted in UTF-16 code units (e-conomic is a .NET service), which is never less
///   than the character count, so a value within the limit is within it however e-conomic counts.
///   Free text where a prefix keeps its meaning (`address`, `city`, `country`) is cut at a character
///   boundary and reported as a ``MappingWarning/truncated(field:length:limit:)``; every other field
///   (name, e-mail, phone, identifiers, zip, website) is refused with
///   ``MappingProblem/valueTooLong(field:length:limit:)``, because a silently cut identifier or name
///   is wrong data.
/// - Name fallback: when the mapped name is empty, the first e-mail address becomes the name
///   (Cloudify requires a name-or-email customer; e-conomic requires a name). No name and no e-mail
///   is ``MappingProblem/requiredFieldMissing(field:)`` on create.
public enum CustomerMapper {
    /// Maps the mapped fields only (no defaults): what Accord manages on a linked e-conomic customer.
    /// - Parameters:
    ///   - source: The source customer's fields (source vocabulary).
    ///   - settings: The tenant's settings (mappings).
    /// - Returns: e-conomic fields with non-empty values within limits, plus warnings.
    /// - Throws: ``MappingError`` listing every value that cannot be written.
    public static func mapFields(_ source: [String: String], settings: TenantSettings) throws(MappingError) -> MappedCustomer {
        var fields: [String: String] = [:]
        var warnings: [MappingWarning] = []
        var problems: [MappingProblem] = []
        for mapping in settings.fieldMappings {
            guard let field = EconomicField(rawValue: mapping.economic), field.spec.isMappable else { continue }
            let parts = mapping.sources.compactMap { FieldValues.trimmedValue(source[$0]) }
            guard !parts.isEmpty else { continue }
            let joined = field.spec.kind == .text ? parts.joined(separator: mapping.separator) : parts.joined(separator: " ")
            switch convert(joined, for: field) {
            case .success(let converted):
                fields[field.rawValue] = converted.value
                if let warning = converted.warning { warnings.append(warning) }
            case .failure(let problem):
                problems.append(problem)
            }
        }
        if settings.mappedEconomicFields.contains(.name), fields[EconomicField.name.rawValue] == nil,
            let email = firstEmail(in: source)
        {
            switch convert(email, for: .name) {
            case .success(let converted):
                fields[EconomicField.name.rawValue] = converted.value
                warnings.append(.nameFromEmail)
            case .failure(let problem):
                problems.append(problem)
            }
        }
        if !problems.isEmpty { throw MappingError(problems: problems) }
        return MappedCustomer(fields: fields, warnings: warnings)
    }

    /// The full field map of a new e-conomic customer: mapped fields, then the defaults for what
    /// mappings left empty (payment terms, customer group, VAT zone by rule and country, currency,
    /// layout), then the customer number when one is chosen.
    /// - Parameters:
    ///   - source: The source customer's fields.
    ///   - settings: The tenant's settings.
    ///   - customerNumber: The number to create the customer with, or `nil` for e-conomic to assign.
    /// - Throws: ``MappingError`` (too-long or invalid values, a missing name, an invalid number).
    public static func createPayload(
        _ source: [String: String], settings: TenantSettings, customerNumber: Int?
    ) throws(MappingError) -> MappedCustomer {
        var problems: [MappingProblem] = []
        var mapped = MappedCustomer(fields: [:])
        do {
            mapped = try mapFields(source, settings: settings)
        } catch {
            problems = error.problems
        }
        var fields = mapped.fields
        let name = EconomicField.name.rawValue
        if fields[name] == nil, !settings.mappedEconomicFields.contains(.name) {
            // Name is not mapped, but e-conomic needs one: use the source name, then the e-mail.
            if let value = FieldValues.trimmedValue(source[SourceField.name.key]) {
                switch convert(value, for: .name) {
                case .success(let converted): fields[name] = converted.value
                case .failure(let problem): problems.append(problem)
                }
            } else if let email = firstEmail(in: source) {
                switch convert(email, for: .name) {
                case .success(let converted):
                    fields[name] = converted.value
                    mapped.warnings.append(.nameFromEmail)
                case .failure(let problem): problems.append(problem)
                }
            }
        }
        let defaults = settings.defaults
        fields[EconomicField.currency.rawValue] = fields[EconomicField.currency.rawValue] ?? defaults.currency
        fields[EconomicField.paymentTerms.rawValue] = fields[EconomicField.paymentTerms.rawValue] ?? String(defaults.paymentTerms)
        fields[EconomicField.customerGroup.rawValue] = fields[EconomicField.customerGroup.rawValue] ?? String(defaults.customerGroup)
        if fields[EconomicField.vatZone.rawValue] == nil {
            let zone = defaults.vatZone.zone(forCountry: countryCode(source: source, mapped: fields), homeCountry: settings.homeCountry)
            fields[EconomicField.vatZone.rawValue] = String(zone)
        }
        if let layout = defaults.layout, fields[EconomicField.layout.rawValue] == nil {
            fields[EconomicField.layout.rawValue] = String(layout)
        }
        if let customerNumber {
            if (1...999_999_999).contains(customerNumber) {
                fields[EconomicField.customerNumber.rawValue] = String(customerNumber)
            } else {
                problems.append(.invalidCustomerNumber(value: String(customerNumber)))
            }
        }
        for field in EconomicField.requiredOnCreate where fields[field.rawValue] == nil {
            // A name that is present but refused was already reported as such.
            if problems.contains(where: { $0.field == field.rawValue }) { continue }
            problems.append(.requiredFieldMissing(field: field.rawValue))
        }
        if !problems.isEmpty { throw MappingError(problems: problems) }
        return MappedCustomer(fields: fields, warnings: mapped.warnings)
    }

    /// The customer number a source field holds.
    /// - Parameters:
    ///   - source: The source customer's fields.
    ///   - field: The source field key (e.g. `customer_number` or `metadata.customer_number`).
    /// - Throws: ``MappingError`` with ``MappingProblem/customerNumberMissing(sourceField:)`` or
    ///   ``MappingProblem/invalidCustomerNumber(value:)``.
    public static func customerNumber(in source: [String: String], field: String) throws(MappingError) -> Int {
        guard let raw = FieldValues.trimmedValue(source[field]) else {
            throw MappingError(problems: [.customerNumberMissing(sourceField: field)])
        }
        guard let number = parseCustomerNumber(raw) else {
            throw MappingError(problems: [.invalidCustomerNumber(value: raw)])
        }
        return number
    }

    /// Parses a customer number: an optionally space-padded decimal integer 1…999 999 999.
    /// - Parameter value: e.g. `"1042"` or `" 007 "`.
    public static func parseCustomerNumber(_ value: String) -> Int? {
        let trimmed = UnicodeText.trim(value)
        guard !trimmed.isEmpty, trimmed.count <= 12, trimmed.unicodeScalars.allSatisfy({ $0.value >= 48 && $0.value <= 57 }),
            let number = Int(trimmed), (1...999_999_999).contains(number)
        else { return nil }
        return number
    }

    /// The full field map for an e-conomic `PUT`, which replaces the whole customer: the current
    /// fields with the changes laid over them. A change with an empty value removes the field (only
    /// produced when a user or the `emptyOverwrites` setting chose to clear it); fields not in
    /// `changes` — including ones Accord does not manage — are kept as they are.
    /// - Parameters:
    ///   - current: The e-conomic customer's current fields as last read.
    ///   - changes: e-conomic field → new value.
    public static func mergeForUpdate(current: [String: String], changes: [String: String]) -> [String: String] {
        var merged = FieldValues.cleaned(current)
        for (field, value) in changes {
            if FieldValues.isBlank(value) {
                merged.removeValue(forKey: field)
            } else {
                merged[field] = value
            }
        }
        return merged
    }

    /// The source-space values of an e-conomic customer's mapped fields (the reverse mapping), e.g.
    /// to compare sides or to create a file partner. Blank values are left out.
    /// - Parameters:
    ///   - economic: The e-conomic customer's fields.
    ///   - settings: The tenant's settings (mappings).
    public static func reverse(_ economic: [String: String], settings: TenantSettings) -> [String: String] {
        FieldValues.cleaned(sourceChanges(for: FieldValues.cleaned(economic), settings: settings))
    }

    /// The source-field writes that carry e-conomic field values back to the source, e.g. to update a
    /// Stripe customer. An empty e-conomic value clears every source field of its mapping (empty
    /// strings in the result mean "unset", as in Stripe's API). Several sources split the value on
    /// the mapping's separator: the first parts fill the first sources, the last source gets the rest.
    /// Countries become ISO alpha-2 codes when known.
    /// - Parameters:
    ///   - economicChanges: e-conomic field → value (empty meaning cleared).
    ///   - settings: The tenant's settings (mappings).
    public static func sourceChanges(for economicChanges: [String: String], settings: TenantSettings) -> [String: String] {
        var result: [String: String] = [:]
        for mapping in settings.fieldMappings {
            guard let value = economicChanges[mapping.economic], !mapping.sources.isEmpty,
                let field = EconomicField(rawValue: mapping.economic)
            else { continue }
            var converted = value
            if field.spec.kind == .country, let country = CountryTable.lookup(value) { converted = country.code }
            if mapping.sources.count == 1 {
                result[mapping.sources[0]] = converted
                continue
            }
            var parts = converted.isEmpty ? [] : converted.components(separatedBy: mapping.separator)
            for (index, source) in mapping.sources.enumerated() {
                if index == mapping.sources.count - 1 {
                    result[source] = parts.joined(separator: mapping.separator)
                } else {
                    result[source] = parts.isEmpty ? "" : parts.removeFirst()
                }
            }
        }
        return result
    }

    /// The customer's country as ISO alpha-2 code: the source's `address.country`, else the mapped
    /// e-conomic `country`; `nil` when missing. Unknown countries are returned as given (upper-cased)
    /// so that the VAT rule treats them as abroad.
    /// - Parameters:
    ///   - source: The source customer's fields.
    ///   - mapped: The mapped e-conomic fields.
    public static func countryCode(source: [String: String], mapped: [String: String]) -> String? {
        for raw in [source[SourceField.addressCountry.key], mapped[EconomicField.country.rawValue]] {
            guard let value = FieldValues.trimmedValue(raw) else { continue }
            return CountryTable.lookup(value)?.code ?? value.uppercased()
        }
        return nil
    }

    /// Converts and checks one value for an e-conomic field (see the type's rules).
    /// - Parameters:
    ///   - raw: The non-empty, trimmed value.
    ///   - field: The target field.
    /// - Returns: The value to write and an optional warning, or the problem.
    public static func convert(_ raw: String, for field: EconomicField) -> Result<ConvertedValue, MappingProblem> {
        let spec = field.spec
        var value = UnicodeText.trim(raw)
        switch spec.kind {
        case .currency:
            value = value.uppercased()
            guard value.count == 3, value.unicodeScalars.allSatisfy({ $0.value >= 65 && $0.value <= 90 }) else {
                return .failure(.invalidValue(field: field.rawValue, value: raw, reason: "a currency is a three-letter ISO 4217 code"))
            }
        case .reference, .customerNumber:
            guard let number = parseCustomerNumber(value) else {
                return .failure(.invalidValue(field: field.rawValue, value: raw, reason: "expected a number from 1 to 999999999"))
            }
            value = String(number)
        case .country:
            if let country = CountryTable.lookup(value) { value = country.englishName }
        case .text, .email, .phone, .taxID:
            break
        }
        let length = value.utf16.count
        guard length > spec.maxLength else { return .success(ConvertedValue(value: value, warning: nil)) }
        switch spec.whenTooLong {
        case .reject:
            return .failure(.valueTooLong(field: field.rawValue, length: length, limit: spec.maxLength))
        case .truncate:
            let cut = truncate(value, toUTF16Length: spec.maxLength)
            return .success(ConvertedValue(value: cut, warning: .truncated(field: field.rawValue, length: length, limit: spec.maxLength)))
        }
    }

    /// The longest prefix of whole characters whose UTF-16 length is at most `limit`, without
    /// trailing whitespace.
    /// - Parameters:
    ///   - value: The value to cut.
    ///   - limit: The maximum UTF-16 length.
    public static func truncate(_ value: String, toUTF16Length limit: Int) -> String {
        var result = ""
        var length = 0
        for character in value {
            let size = character.utf16.count
            if length + size > limit { break }
            result.append(character)
            length += size
        }
        return UnicodeText.trim(result)
    }

    private static func firstEmail(in source: [String: String]) -> String? {
        guard let email = FieldValues.trimmedValue(source[SourceField.email.key]) else { return nil }
        return MatchNormalizer.emailAddresses(in: email).first
    }
}
