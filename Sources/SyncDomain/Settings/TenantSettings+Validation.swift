extension TenantSettings {
    /// Checks the settings.
    /// - Throws: The first ``SettingsError`` of ``validationErrors()``.
    public func validate() throws(SettingsError) {
        if let first = validationErrors().first { throw first }
    }

    /// Every problem with the settings, in a stable order (version, match fields, numbering,
    /// defaults, home country, mappings, policies), for a settings page to show all at once.
    public func validationErrors() -> [SettingsError] {
        validationProblems().map(\.error)
    }

    /// ``validationErrors()``, each with the part of the settings it concerns (so that a page shows it next to that part).
    public func validationProblems() -> [(part: SettingsPart, error: SettingsError)] {
        var problems: [(part: SettingsPart, error: SettingsError)] = []
        var part = SettingsPart.version
        func add(_ error: SettingsError) { problems.append((part, error)) }
        if version < 0 { add(.invalidVersion(version)) }

        // Match fields
        part = .matching
        if matchFields.isEmpty { add(.noMatchFields) }
        var seenPairs = Set<MatchField>()
        for pair in matchFields {
            if let error = Self.sourceFieldError(pair.source) { add(error) }
            if let field = EconomicField(rawValue: pair.economic) {
                if !field.spec.isFilterable { add(.notMatchable(economic: pair.economic)) }
            } else {
                add(.unknownEconomicField(pair.economic))
            }
            var key = pair
            key.required = true
            if !seenPairs.insert(key).inserted {
                add(.duplicateMatchField(source: pair.source, economic: pair.economic))
            }
        }

        // Numbering
        part = .numbering
        switch numbering {
        case .economicAssigns(let writeBackKey):
            if let writeBackKey, let reason = SourceField.metadataKeyProblem(writeBackKey) {
                add(.invalidMetadataKey(key: writeBackKey, reason: reason))
            }
        case .fromSource(let field):
            if field.isEmpty {
                add(.numberingFieldMissing)
            } else {
                do {
                    _ = try SourceField(parsing: field)
                } catch {
                    add(.numberingFieldInvalid(field: field, reason: error.description))
                }
            }
        }

        // Defaults
        part = .defaults
        let currency = defaults.currency
        if currency.count != 3 || !currency.unicodeScalars.allSatisfy({ $0.value >= 65 && $0.value <= 90 }) {
            add(.invalidCurrency(currency))
        }
        var references: [(String, Int)] = [("paymentTerms", defaults.paymentTerms), ("customerGroup", defaults.customerGroup)]
        references += defaults.vatZone.referencedZones.map { ("vatZone", $0) }
        if let layout = defaults.layout { references.append(("layout", layout)) }
        for (field, value) in references where !(1...999_999_999).contains(value) {
            add(.invalidReferenceNumber(field: field, value: value))
        }
        if homeCountry.count != 2 || CountryTable.country(code: homeCountry) == nil || homeCountry.uppercased() != homeCountry {
            add(.invalidCountry(homeCountry))
        }

        // Mappings
        part = .mappings
        var targets = Set<String>()
        for mapping in fieldMappings {
            if mapping.sources.isEmpty { add(.mappingWithoutSources(economic: mapping.economic)) }
            for source in mapping.sources {
                if let error = Self.sourceFieldError(source) { add(error) }
            }
            if let field = EconomicField(rawValue: mapping.economic) {
                if !field.spec.isMappable { add(.mappingToReadOnlyField(mapping.economic)) }
            } else {
                add(.unknownEconomicField(mapping.economic))
            }
            if !targets.insert(mapping.economic).inserted {
                add(.duplicateMappingTarget(mapping.economic))
            }
        }

        // Policies
        part = .policies
        for field in conflictPolicies.keys.sorted() where !targets.contains(field) {
            add(.conflictPolicyForUnmappedField(field))
        }
        for field in emptyOverwrites.sorted() {
            if !targets.contains(field) {
                add(.emptyOverwritesUnmappedField(field))
            } else if EconomicField(rawValue: field)?.spec.requiredOnCreate == true {
                add(.emptyOverwritesRequiredField(field))
            }
        }
        return problems
    }

    private static func sourceFieldError(_ key: String) -> SettingsError? {
        do {
            _ = try SourceField(parsing: key)
            return nil
        } catch {
            switch error {
            case .invalidMetadataKey(let key, let reason): return .invalidMetadataKey(key: key, reason: reason)
            default: return .unknownSourceField(key)
            }
        }
    }
}
