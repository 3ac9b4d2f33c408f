import AlibabaCloud
import Synchronization

/// An `HTTPTransport` that answers from a script and records every request, for tests.
///
/// Each `send` takes the next scripted step: a canned response, a transport failure, or a closure
/// that sees the request (to answer by action or to verify a signature). When the script runs out it
/// throws `TransportError.invalidRequest("no scripted response")`, which is not retryable, so a test
/// that makes more calls than expected fails fast instead of looping.
package final class ScriptedTransport: HTTPTransport {
    /// One scripted answer.
    package enum Step: Sendable {
        case respond(HTTPResponse)
        case fail(TransportError)
        case handle(@Sendable (HTTPRequest) throws -> HTTPResponse)
    }

    private struct State {
        var steps: [Step] = []
        var requests: [HTTPRequest] = []
    }

    private let state = Mutex(State())

    package init(_ steps: [Step] = []) {
        state.withLock { $0.steps = steps }
    }

    /// Appends steps to the script.
    package func enqueue(_ steps: Step...) {
        state.withLock { $0.steps += steps }
    }

    /// Appends a response with a JSON body given as text.
    package func enqueueJSON(_ json: String, status: Int = 200, headers: [(name: String, value: String)] = []) {
        enqueue(.respond(Self.json(json, status: status, headers: headers)))
    }

    /// A response with a JSON body given as text.
    package static func json(_ json: String, status: Int = 200, headers: [(name: String, value: String)] = [])
        -> HTTPResponse
    {
        HTTPResponse(
            status: status, headers: [("content-type", "application/json")] + headers, body: Array(json.utf8))
    }

    /// Every request sent so far, in order.
    package var requests: [HTTPRequest] { state.withLock { $0.requests } }

    /// Steps not yet used.
    package var remaining: Int { state.withLock { $0.steps.count } }

    package func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let step: Step? = state.withLock { state in
            state.requests.append(request)
            return state.steps.isEmpty ? nil : state.steps.removeFirst()
        }
        switch step {
        case nil: throw TransportError.invalidRequest("no scripted response")
        case .respond(let response)?: return response
        case .fail(let error)?: throw error
        case .handle(let handler)?: return try handler(request)
        }
    }
}
