extension TenantSettings {
    /// Checks the settings.
    /// - Throws: The first ``SettingsError`` of ``validationErrors()``.
    public func validate() throws(SettingsError) {
        if let first = validationErrors().first { throw first }
    }

    /// Every problem with the settings, in a stable order (version, match fields, numbering,
    /// defaults, home country, mappings, policies), for a settings page to show all at once.
    public func validationErrors() -> [SettingsError] {
        var errors: [SettingsError] = []
        if version < 0 { errors.append(.invalidVersion(version)) }

        // Match fields
        if matchFields.isEmpty { errors.append(.noMatchFields) }
        var seenPairs = Set<MatchField>()
        for pair in matchFields {
            if let error = Self.sourceFieldError(pair.source) { errors.append(error) }
            if let field = EconomicField(rawValue: pair.economic) {
                if !field.spec.isFilterable { errors.append(.notMatchable(economic: pair.economic)) }
            } else {
                errors.append(.unknownEconomicField(pair.economic))
            }
            var key = pair
            key.required = true
            if !seenPairs.insert(key).inserted {
                errors.append(.duplicateMatchField(source: pair.source, economic: pair.economic))
            }
        }

        // Numbering
        switch numbering {
        case .economicAssigns(let writeBackKey):
            if let writeBackKey, let reason = SourceField.metadataKeyProblem(writeBackKey) {
                errors.append(.invalidMetadataKey(key: writeBackKey, reason: reason))
            }
        case .fromSource(let field):
            if field.isEmpty {
                errors.append(.numberingFieldMissing)
            } else {
                do {
                    _ = try SourceField(parsing: field)
                } catch {
                    errors.append(.numberingFieldInvalid(field: field, reason: error.description))
                }
            }
        }

        // Defaults
        let currency = defaults.currency
        if currency.count != 3 || !currency.unicodeScalars.allSatisfy({ $0.value >= 65 && $0.value <= 90 }) {
            errors.append(.invalidCurrency(currency))
        }
        var references: [(String, Int)] = [("paymentTerms", defaults.paymentTerms), ("customerGroup", defaults.customerGroup)]
        references += defaults.vatZone.referencedZones.map { ("vatZone", $0) }
        if let layout = defaults.layout { references.append(("layout", layout)) }
        for (field, value) in references where !(1...999_999_999).contains(value) {
            errors.append(.invalidReferenceNumber(field: field, value: value))
        }
        if homeCountry.count != 2 || CountryTable.country(code: homeCountry) == nil || homeCountry.uppercased() != homeCountry {
            errors.append(.invalidCountry(homeCountry))
        }

        // Mappings
        var targets = Set<String>()
        for mapping in fieldMappings {
            if mapping.sources.isEmpty { errors.append(.mappingWithoutSources(economic: mapping.economic)) }
            for source in mapping.sources {
                if let error = Self.sourceFieldError(source) { errors.append(error) }
            }
            if let field = EconomicField(rawValue: mapping.economic) {
                if !field.spec.isMappable { errors.append(.mappingToReadOnlyField(mapping.economic)) }
            } else {
                errors.append(.unknownEconomicField(mapping.economic))
            }
            if !targets.insert(mapping.economic).inserted {
                errors.append(.duplicateMappingTarget(mapping.economic))
            }
        }

        // Policies
        for field in conflictPolicies.keys.sorted() where !targets.contains(field) {
            errors.append(.conflictPolicyForUnmappedField(field))
        }
        for field in emptyOverwrites.sorted() {
            if !targets.contains(field) {
                errors.append(.emptyOverwritesUnmappedField(field))
            } else if EconomicField(rawValue: field)?.spec.requiredOnCreate == true {
                errors.append(.emptyOverwritesRequiredField(field))
            }
        }
        return errors
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
