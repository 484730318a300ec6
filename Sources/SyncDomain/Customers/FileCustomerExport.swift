/// A file customer as the customer file should hold it now, so that a company keeping its customers in files gets
/// back what Accord knows and the file cannot be told: partners created for e-conomic customers (they exist only in
/// Accord until the file has them), and changes the pair agreed on since the file was read — an e-conomic edit
/// carried over, a conflict resolved with e-conomic's or a typed value. Accord cannot write a file, so for a linked
/// file customer the link's agreed values (e-conomic's vocabulary) are the truth; the file's own values stand for
/// every field the pair has not agreed otherwise. Pure: the caller reads the customers and links.
public enum FileCustomerExport {
    /// The fields of a file customer for the export (source vocabulary, `customer_number` included).
    /// - Parameters:
    ///   - observed: What Accord last read of the customer (source vocabulary).
    ///   - number: Its customer number (its id on the file side).
    ///   - agreed: The agreed values of its link (e-conomic vocabulary), or nil when it has no partner or its
    ///     synchronisation is stopped (then the file's values are exported as they are).
    ///   - settings: The tenant's settings (the mappings between the vocabularies).
    public static func fields(observed: [String: String], number: String, agreed: [String: String]?, settings: TenantSettings) -> [String: String] {
        var fields = FieldValues.cleaned(observed)
        fields[SourceField.customerNumber.key] = number
        guard let agreed, let mapped = try? CustomerMapper.mapFields(fields, settings: settings).fields else { return fields }
        var differing: [String: String] = [:]
        for field in settings.mappedEconomicFields where field.spec.isMappable {
            let key = field.rawValue
            guard let value = agreed[key], !ValueEquivalence.areEquivalent(mapped[key], value, for: field) else { continue }
            differing[key] = value
        }
        for (key, value) in CustomerMapper.sourceChanges(for: differing, settings: settings) where key != SourceField.customerNumber.key {
            fields[key] = FieldValues.isBlank(value) ? nil : value
        }
        return fields
    }
}
