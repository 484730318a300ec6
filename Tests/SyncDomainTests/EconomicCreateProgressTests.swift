import Foundation
import SyncDomain
import Testing

@Suite("what a create's stream says about its sends")
struct EconomicCreateProgressTests {
    let id = RequestID(Fixtures.uuid(7))

    func progress(_ events: [SyncEvent]) -> EconomicCreateProgress {
        events.reduce(EconomicCreateProgress.initial) { $0.evolve($1) }
    }

    func started(_ existing: [Int]? = nil) -> SyncEvent { .economicCreateStarted(EconomicCreateStarted(requestId: id, existing: existing)) }

    func failed(_ error: OutboundError) -> SyncEvent {
        .outboundFailed(OutboundFailed(requestId: id, attempt: 1, error: error, retryAt: Fixtures.date))
    }

    func abandoned(_ error: OutboundError) -> SyncEvent { .outboundAbandoned(OutboundAbandoned(requestId: id, attempts: 1, error: error)) }

    var retried: SyncEvent { .outboundRetryRequested(OutboundRetryRequested(requestId: id)) }

    let dropped = OutboundError(code: "transport", message: "closed", afterSending: true)
    let lookupTimedOut = OutboundError(code: "timeout", message: "no answer to the lookup", afterSending: false)

    @Test("nothing sent, nothing unknown; what existed is taken from the first start only")
    func firstStart() {
        #expect(!progress([]).outcomeUnknown && progress([]).existingAtFirstSend == nil)
        let sent = progress([started([3, 9]), failed(dropped), started(nil)])
        #expect(sent.existingAtFirstSend == [3, 9] && sent.sends == 2)
        #expect(progress([started(nil)]).existingAtFirstSend == [])
    }

    @Test("the send's own answer settles its outcome: a success or a refusal (429 included) does, a lost or 5xx answer does not")
    func answers() {
        #expect(progress([started([]), failed(dropped)]).outcomeUnknown)
        #expect(progress([started([]), failed(OutboundError(httpStatus: 502, message: "bad gateway", afterSending: true))]).outcomeUnknown)
        #expect(!progress([started([]), abandoned(OutboundError(httpStatus: 400, message: "invalid", afterSending: true))]).outcomeUnknown)
        let limited = OutboundRateLimited(
            requestId: id, waits: 1, error: OutboundError(httpStatus: 429, message: "slow down", afterSending: true), retryAt: Fixtures.date)
        #expect(!progress([started([]), .outboundRateLimited(limited)]).outcomeUnknown)
        #expect(!progress([started([]), failed(dropped), .outboundSucceeded(OutboundSucceeded(requestId: id, customerNumber: 4))]).outcomeUnknown)
    }

    @Test("a start without an answer stays unknown, whatever fails while reconciling it")
    func unansweredStart() {
        let died = progress([started([])])
        #expect(died.outcomeUnknown && died.unanswered)
        let afterLookups = progress([
            started([]), failed(lookupTimedOut),
            .outboundRateLimited(
                OutboundRateLimited(
                    requestId: id, waits: 1, error: OutboundError(httpStatus: 429, message: "", afterSending: false), retryAt: Fixtures.date)),
        ])
        #expect(afterLookups.outcomeUnknown, "a 429 to the lookup is not the send's answer")
        #expect(afterLookups.unanswered)
    }

    @Test("failures before any send say nothing, except unmarked ones from before starts were recorded")
    func beforeAnySend() {
        let noConnection = OutboundError(code: "NO_CONNECTION", message: "no tokens", afterSending: false)
        #expect(!progress([abandoned(noConnection), retried, failed(lookupTimedOut)]).outcomeUnknown)
        let legacy = progress([failed(OutboundError(code: "timeout", message: "no answer"))])
        #expect(legacy.outcomeUnknown && legacy.lacksBaseline)
        #expect(!progress([failed(OutboundError(httpStatus: 400, message: "refused"))]).outcomeUnknown)
        #expect(!progress([started([]), failed(dropped)]).lacksBaseline)
    }

    @Test("a person's retry clears a create only when it waited for a person because it could not be reconciled")
    func personRetry() {
        let cannot = OutboundError.cannotReconcile("look first")
        #expect(cannot.isCannotReconcile && cannot.afterSending == false)
        let cleared = progress([started([]), failed(dropped), abandoned(cannot), retried])
        #expect(cleared.clearedByPerson && cleared.outcomeUnknown)
        #expect(!progress([started([]), failed(dropped), abandoned(cannot)]).clearedByPerson, "not before the retry")
        #expect(!progress([started([]), failed(dropped), abandoned(cannot), retried, started(nil)]).clearedByPerson, "only for one send")
        let ambiguous = OutboundError(code: "AMBIGUOUS_MATCH", message: "two match", afterSending: false)
        #expect(!progress([started([]), failed(dropped), abandoned(ambiguous), retried]).clearedByPerson, "a retry reconciles again")
    }

    @Test("a number e-conomic named in an answer is kept for the next attempt")
    func learnedNumber() {
        let unreadable = OutboundError(
            code: "invalidResponse", message: "201 with a body that could not be read", customerNumber: 4711, afterSending: true)
        let learned = progress([started([]), failed(unreadable)])
        #expect(learned.learnedNumber == 4711 && learned.outcomeUnknown)
    }
}
