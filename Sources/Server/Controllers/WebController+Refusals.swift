import EventStore
import Projections
import SyncDomain
import SyncEngine

/// How a page tells a bookkeeper why an action was refused. The domain's messages name customers and links by id
/// ("Customer stripe:cus_… is already partnered with economic:7", "request 029f…"), as the API and the logs need;
/// a page names them as a person knows them, and leaves out what a person cannot act on.
extension WebController {
    /// The refusal's sentence for a page: a partnering refusal in the customers' and pairs' names, anything else as
    /// the command gave it.
    func refusal(_ error: CommandError, tenant: TenantID) async -> String {
        guard let refusal = error.underlying as? PartneringDecider.Error,
            let sentence = try? await spoken(refusal, tenant: tenant)
        else { return error.message }
        return sentence
    }

    /// A partnering refusal in names (nil to keep the domain's own sentence: it names nothing internal).
    func spoken(_ refusal: PartneringDecider.Error, tenant: TenantID) async throws -> String? {
        // A name with its system ("Anna Jensen in Stripe"): the two sides of a pair often carry the same name.
        func located(_ ref: CustomerRef, _ name: String) -> String {
            name == Self.spoken(ref, row: nil) ? name : "\(name) in \(Pages.systemName(ref.system))"
        }
        func name(_ ref: CustomerRef) async throws -> String { located(ref, try await self.name(ref, tenant: tenant)) }
        func pair(_ id: LinkID) async throws -> String {
            guard let link = try await dependencies.reads.link(tenant, id),
                let source = CustomerRef(parsing: link.source)
            else { return "this pair" }
            let economic = CustomerRef(system: .economic, id: link.economicNumber)
            let names = try await names([source, economic], tenant: tenant)
            return "\(located(source, names[source] ?? "")) and \(located(economic, names[economic] ?? ""))"
        }
        switch refusal {
        case .unknownCustomer(let ref):
            return sentence("\(try await name(ref)) is not known to Accord")
        case .customerExcluded(let ref):
            return sentence("\(try await name(ref)) is not synchronised; choose \"Synchronise again\" first")
        case .customerDeleted(let ref):
            return sentence("\(try await name(ref)) was deleted in \(Pages.systemName(ref.system))")
        case .alreadyPartnered(let ref, let partner):
            return sentence("\(try await name(ref)) is already partnered with \(try await name(partner)); unlink them first")
        case .creationPending(let ref, _):
            return sentence("A partner of \(try await name(ref)) is already being created")
        case .invalidPair(let source, let economic):
            return sentence(
                "\(try await name(source)) and \(try await name(economic)) cannot be partners: "
                    + "pair a Stripe or file customer with an e-conomic customer")
        case .mappingFailed(let ref, let problem):
            return sentence("\(try await name(ref)) cannot be written to e-conomic: \(problem)")
        case .unknownLink:
            return "These customers are no longer partners."
        case .alreadyStopped(let id):
            return sentence("Synchronisation of \(try await pair(id)) is already stopped")
        case .notStopped(let id):
            return sentence("Synchronisation of \(try await pair(id)) is not stopped")
        case .noChoices:
            return "Choose a value for at least one field."
        case .noOpenConflict(let id, let field):
            return sentence("\(try await pair(id)) no longer disagree on \(field); the list shows what is open now")
        case .invalidChoice(_, let field, let problem):
            return sentence("The value chosen for \(field) cannot be used: \(problem)")
        case .unknownRequest:
            return "That partner is no longer waiting to be created."
        case .notAnEconomicCustomer(let ref):
            return sentence("\(try await name(ref)) is not an e-conomic customer: only those get a partner created in Stripe")
        case .customerNumberTaken, .invalidCustomerNumber, .fileCustomerTaken:
            return nil
        }
    }
}
