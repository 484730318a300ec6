import Connectors
import Foundation
import SyncDomain

/// What one attempt at a request came to, before it is recorded through the decider.
enum OutboundAttempt: Sendable, Hashable {
    /// Carried out (or found carried out by reconciliation); an update's fields left alone because the target had
    /// moved are in `targetMoved` (field → the value found); `answer` is the e-conomic customer as e-conomic returned it
    /// (an update's `PUT`, or its `GET` when nothing needed writing), recorded as an observation; `stripeCustomerId` is
    /// the customer a Stripe create made.
    case succeeded(
        customerNumber: Int?, written: [String: String], targetMoved: [String: String] = [:], answer: EconomicCustomer? = nil,
        stripeCustomerId: String? = nil)
    /// Failed; the decider retries it with backoff when the error is retryable, else abandons it.
    case failed(OutboundError, retryAfter: Double?)
    /// Cannot succeed without a person (no credentials, an invalid payload, several matching customers):
    /// abandoned at once, whatever the error's status says.
    case needsPerson(OutboundError)
    /// Not sent, and nothing to record: the worker began shutting down while the request waited for the tenant's
    /// rate limit, another writer changed an e-conomic create's stream just before its send, or the claim could not
    /// be renewed right before a write (``OutboundWorker/stillHolds(_:)``). The claim is released and the request
    /// stays due.
    case notSent
    /// Not sent: the tenant has no connection to the target yet (a request made before e-conomic or Stripe was
    /// connected). Nothing is recorded and no attempt is used; the request is looked at again once the worker's
    /// credentials are reloaded (``OutboundWorkerConfiguration/credentialCacheTTL``) and goes out once the connection
    /// exists.
    case waitingForConnection(String)

    /// An e-conomic failure as the queue shows it: e-conomic's own message, error code, `logId`, HTTP status and
    /// field errors. Writes whose outcome is unknown (timeouts, broken connections, unreadable answers) are
    /// recorded without a status, so they are retried — after a reconciliation, for a create.
    static func from(_ error: EconomicAPIError) -> OutboundAttempt {
        var fields: [String: [String]] = [:]
        for fieldError in error.fieldErrors { fields[fieldError.field, default: []].append(fieldError.message) }
        switch error.code {
        case .timeout, .transport, .invalidResponse:
            return .failed(
                OutboundError(code: name(of: error.code), message: error.description, customerNumber: error.createdCustomerNumber), retryAfter: nil)
        case .badRequest where error.httpStatus == nil:
            return .needsPerson(OutboundError(code: "REFUSED_BEFORE_SENDING", message: error.description))
        default:
            return .failed(
                OutboundError(
                    httpStatus: error.httpStatus, code: error.errorCode ?? name(of: error.code), message: error.message, fieldErrors: fields,
                    logId: error.logId),
                retryAfter: error.retryAfterSeconds.map(Double.init))
        }
    }

    /// A Stripe failure: Stripe's status, code and message; transport failures and timeouts without a status
    /// (retried with the same Idempotency-Key).
    static func from(_ error: StripeAPIError) -> OutboundAttempt {
        let retryAfter = error.retryAfter.map { Double($0.components.seconds) + Double($0.components.attoseconds) / 1e18 }
        switch error.kind {
        case .invalidArgument:
            return .needsPerson(OutboundError(code: error.code ?? "invalid_argument", message: error.description))
        case .transport, .timeout, .invalidResponse:
            return .failed(OutboundError(code: error.code, message: error.description), retryAfter: retryAfter)
        case .api:
            return .failed(
                OutboundError(httpStatus: error.status, code: error.code ?? error.type, message: error.message ?? error.description),
                retryAfter: retryAfter)
        }
    }

    /// The same attempt with its error marked as the write's own (`true`: it may have reached the target) or as coming
    /// before anything was sent (`false`); see ``SyncDomain/OutboundError/afterSending``. A mark already set is kept.
    func marked(afterSending: Bool) -> OutboundAttempt {
        switch self {
        case .failed(var error, let retryAfter):
            error.afterSending = error.afterSending ?? afterSending
            return .failed(error, retryAfter: retryAfter)
        case .needsPerson(var error):
            error.afterSending = error.afterSending ?? afterSending
            return .needsPerson(error)
        case .succeeded, .notSent, .waitingForConnection:
            return self
        }
    }

    private static func name(of code: EconomicAPIError.Code) -> String {
        switch code {
        case .unauthorized: "unauthorized"
        case .forbidden: "forbidden"
        case .notFound: "notFound"
        case .validationFailed: "validationFailed"
        case .badRequest: "badRequest"
        case .rateLimited: "rateLimited"
        case .serverError: "serverError"
        case .timeout: "timeout"
        case .transport: "transport"
        case .invalidResponse: "invalidResponse"
        }
    }
}

/// An attempt that ends before anything is sent (wrapped so it can travel as a `Result` failure).
struct OutboundAttemptFailure: Error {
    let attempt: OutboundAttempt
    init(_ attempt: OutboundAttempt) { self.attempt = attempt }
}
