public import Connectors
public import EconomicSandbox

/// One step of a chaos run: something a Stripe user, an accountant, an administrator or the machine does while
/// Accord runs. Every value is chosen when the script is generated (``ChaosScript``), so a seed always means the
/// same steps; only their timing against Accord's own work differs between runs.
///
/// Customers are named by their index in the run (0, 1, 2… in the order the script creates them).
public enum ChaosOperation: Sendable, Equatable {
    /// A Stripe user creates customer `customer` with these fields (its reference token is added as metadata).
    case createStripeCustomer(customer: Int, fields: [StripeCustomerField: String])
    /// A Stripe user changes fields of a customer to new, non-empty values.
    case updateStripeCustomer(customer: Int, fields: [StripeCustomerField: String])
    /// A Stripe user empties fields of a customer.
    case clearStripeFields(customer: Int, fields: [StripeCustomerField])
    /// A Stripe user deletes a customer.
    case deleteStripeCustomer(customer: Int)
    /// An accountant edits, in e-conomic, the partner of a Stripe customer: field-map keys (mapped and unmapped
    /// fields alike, an empty value clears) and ``ChaosScript/creditLimitKey``.
    case editInEconomic(customer: Int, changes: [String: String])
    /// An accountant creates an e-conomic customer that Stripe customer `customer`, created right after Accord has
    /// seen it, must be matched to: by e-mail (`byPhone` false: same name and e-mail), or by phone (same name and
    /// phone, another e-mail). `switchingRuleTo` (matching by phone, when it was off) is saved between the two: the
    /// Stripe customer then arrives while the match index is rebuilt for the new rule.
    case createMatchedPair(customer: Int, fields: [StripeCustomerField: String], byPhone: Bool, switchingRuleTo: ChaosMatchRule?)
    /// An accountant creates a customer who is nobody's partner: the name of another customer, an e-mail and phone
    /// no one else has. Accord must never link, adopt or change it.
    case createStranger(stranger: Int, name: String, email: String, phone: String)
    /// The administrator changes the match fields (through the command handler, as the API does).
    case changeMatchFields(ChaosMatchRule)
    /// The administrator changes which optional fields are mapped.
    case changeMappings(ChaosMappings)
    /// The sandbox's faults change (``EconomicSandbox/SandboxKnobs/none`` switches them off).
    case setFaults(SandboxKnobs)
    /// The process dies (`kill -9`: no graceful shutdown, claims stay in flight, webhooks meanwhile are lost) and
    /// starts again, with the same worker id (its claims are taken over at once) or a new one (they lapse).
    case kill(sameWorkerID: Bool)
    /// The process is shut down gracefully, the webhook switched off, `whileDown` done, and it starts again.
    case restart(whileDown: [ChaosOperation])
    /// Nothing happens for a while.
    case pause(milliseconds: Int)
}

extension ChaosOperation: CustomStringConvertible {
    /// One line for the run's log: what happened, to whom.
    public var description: String {
        switch self {
        case .createStripeCustomer(let customer, let fields): "create Stripe customer #\(customer) \(Self.describe(fields))"
        case .updateStripeCustomer(let customer, let fields): "update Stripe customer #\(customer) \(Self.describe(fields))"
        case .clearStripeFields(let customer, let fields): "clear \(fields.map(\.rawValue).sorted()) of Stripe customer #\(customer)"
        case .deleteStripeCustomer(let customer): "delete Stripe customer #\(customer)"
        case .editInEconomic(let customer, let changes):
            "accountant edits the partner of #\(customer): \(changes.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value.isEmpty ? "∅" : $0.value)" })"
        case .createMatchedPair(let customer, let fields, let byPhone, let rule):
            "accountant creates the match (by \(byPhone ? "phone" : "e-mail")) of Stripe customer #\(customer) \(Self.describe(fields))"
                + (rule.map { ", match fields become \($0) before the Stripe customer is created" } ?? "")
        case .createStranger(let stranger, let name, let email, let phone): "accountant creates stranger \(stranger): \(name), \(email), \(phone)"
        case .changeMatchFields(let rule): "match fields become \(rule)"
        case .changeMappings(let mappings): "mappings become \(mappings)"
        case .setFaults(let knobs):
            knobs == .none
                ? "faults off"
                : "faults: 429 \(knobs.rateLimitRate), 5xx \(knobs.serverErrorRate), dropped \(knobs.dropResponseRate), "
                    + "latency \(knobs.latencyMilliseconds)+\(knobs.latencyJitterMilliseconds) ms, scope \(knobs.scope.rawValue)"
        case .kill(let same): "kill -9 and start again (\(same ? "same" : "new") worker id)"
        case .restart(let whileDown): "restart; while down: \(whileDown.map(\.description).joined(separator: "; "))"
        case .pause(let milliseconds): "pause \(milliseconds) ms"
        }
    }

    /// The operation's kind, for counting.
    public var kind: String {
        switch self {
        case .createStripeCustomer: "stripe create"
        case .updateStripeCustomer: "stripe update"
        case .clearStripeFields: "stripe clear"
        case .deleteStripeCustomer: "stripe delete"
        case .editInEconomic: "e-conomic edit"
        case .createMatchedPair: "matched pair"
        case .createStranger: "stranger"
        case .changeMatchFields: "match fields"
        case .changeMappings: "mappings"
        case .setFaults: "faults"
        case .kill: "kill"
        case .restart: "restart"
        case .pause: "pause"
        }
    }

    private static func describe(_ fields: [StripeCustomerField: String]) -> String {
        "{" + fields.sorted { $0.key.rawValue < $1.key.rawValue }.map { "\($0.key.rawValue): \($0.value)" }.joined(separator: ", ") + "}"
    }
}
