public import AsyncHTTPClient
import Foundation
public import Logging
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import NIOPosix

/// A client of e-conomic's legacy REST API (`restapi.e-conomic.com`), or of the sandbox that imitates it.
///
/// Every call sends `X-AppSecretToken`, `X-AgreementGrantToken` and `Content-Type: application/json`, has a
/// deadline (``Configuration/timeout``) and reads at most ``Configuration/maxResponseBytes`` of a body.
/// Failures are ``EconomicAPIError``s.
public struct EconomicClient: Sendable {
    /// Where and how to call e-conomic.
    public struct Configuration: Sendable, CustomStringConvertible {
        /// e-conomic's base URL.
        public static let productionBaseURL = "https://restapi.e-conomic.com"

        /// Base URL without a trailing slash, e.g. `https://restapi.e-conomic.com` or `http://127.0.0.1:8089`.
        public var baseURL: String
        /// Identifies the app (`X-AppSecretToken`).
        public var appSecretToken: String
        /// Identifies the agreement's grant (`X-AgreementGrantToken`).
        public var agreementGrantToken: String
        /// Deadline for each call, from sending to the last byte of the response.
        public var timeout: Duration
        /// Largest response body read; a larger one fails as ``EconomicAPIError/Code/invalidResponse``.
        public var maxResponseBytes: Int

        /// Creates a configuration.
        public init(
            baseURL: String = Configuration.productionBaseURL,
            appSecretToken: String,
            agreementGrantToken: String,
            timeout: Duration = .seconds(30),
            maxResponseBytes: Int = 32 << 20
        ) {
            self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
            self.appSecretToken = appSecretToken
            self.agreementGrantToken = agreementGrantToken
            self.timeout = timeout
            self.maxResponseBytes = maxResponseBytes
        }

        /// The base URL and timeout; the tokens are redacted.
        public var description: String {
            "EconomicClient.Configuration(baseURL: \(baseURL), appSecretToken: <redacted>, agreementGrantToken: <redacted>, timeout: \(timeout))"
        }
    }

    /// The configuration.
    public let configuration: Configuration
    let httpClient: HTTPClient
    let logger: Logger

    /// Creates a client.
    /// - Parameters:
    ///   - configuration: Base URL, tokens, timeout.
    ///   - httpClient: The HTTP client to use; `HTTPClient.shared` by default.
    ///   - logger: Where to log each call (at debug level); silent by default.
    public init(configuration: Configuration, httpClient: HTTPClient = .shared, logger: Logger? = nil) {
        self.configuration = configuration
        self.httpClient = httpClient
        self.logger = logger ?? Logger(label: "accord.economic", factory: { _ in SwiftLogNoOpLogHandler() })
    }

    // MARK: Transport

    struct RawResponse: Sendable {
        var status: Int
        var headers: HTTPHeaders
        var body: ByteBuffer
    }

    /// Sends one request and returns the response if its status is 2xx; anything else becomes an ``EconomicAPIError``.
    /// - Parameter allow404: return a 404 response instead of throwing.
    func send(
        _ method: HTTPMethod,
        path: String,
        query: [(String, String)] = [],
        body: ByteBuffer? = nil,
        operation: String,
        allow404: Bool = false
    ) async throws(EconomicAPIError) -> RawResponse {
        let isWrite = method == .POST || method == .PUT || method == .DELETE || method == .PATCH
        var url = configuration.baseURL + path
        if !query.isEmpty {
            url += "?" + query.map { "\($0.0)=\($0.1)" }.joined(separator: "&")
        }
        var request = HTTPClientRequest(url: url)
        request.method = method
        request.headers.add(name: "X-AppSecretToken", value: configuration.appSecretToken)
        request.headers.add(name: "X-AgreementGrantToken", value: configuration.agreementGrantToken)
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Accept", value: "application/json")
        if let body {
            request.body = .bytes(body)
        }
        let started = ContinuousClock.now
        var metadata: Logger.Metadata = ["economic.method": "\(method.rawValue)", "economic.path": "\(path)"]
        do {
            let response = try await httpClient.execute(request, deadline: .now() + .init(configuration.timeout), logger: logger)
            let bytes = try await response.body.collect(upTo: configuration.maxResponseBytes)
            metadata["economic.status"] = "\(response.status.code)"
            metadata["economic.duration_ms"] = "\((ContinuousClock.now - started).milliseconds)"
            logger.debug("e-conomic call", metadata: metadata)
            let raw = RawResponse(status: Int(response.status.code), headers: response.headers, body: bytes)
            if (200..<300).contains(raw.status) || (allow404 && raw.status == 404) {
                return raw
            }
            throw errorFromResponse(raw, operation: operation, isWrite: isWrite)
        } catch let error as EconomicAPIError {
            throw error
        } catch {
            metadata["error"] = "\(error)"
            logger.debug("e-conomic call failed", metadata: metadata)
            throw errorFromTransport(error, operation: operation, isWrite: isWrite)
        }
    }

    /// Decodes a JSON body.
    func decode<T: Decodable>(_ type: T.Type, from response: RawResponse, operation: String) throws(EconomicAPIError) -> T {
        do {
            return try JSONDecoder().decode(T.self, from: response.body)
        } catch {
            throw EconomicAPIError(
                code: .invalidResponse, operation: operation, httpStatus: response.status,
                message: "the body is not the expected JSON (\(Self.describe(decodingError: error)))")
        }
    }

    /// JSON-encodes a request body.
    func encode(_ value: some Encodable, operation: String) throws(EconomicAPIError) -> ByteBuffer {
        do {
            return ByteBuffer(data: try JSONEncoder().encode(value))
        } catch {
            throw EconomicAPIError(code: .badRequest, operation: operation, message: "could not encode the request body: \(error)")
        }
    }

    // MARK: Errors

    func errorFromResponse(_ response: RawResponse, operation: String, isWrite: Bool) -> EconomicAPIError {
        EconomicAPIError.fromResponse(
            status: response.status, body: Data(buffer: response.body), retryAfter: response.headers.first(name: "Retry-After"),
            operation: operation, isWrite: isWrite
        )
        .redacting([configuration.appSecretToken, configuration.agreementGrantToken])
    }

    func errorFromTransport(_ error: any Error, operation: String, isWrite: Bool) -> EconomicAPIError {
        var code = EconomicAPIError.Code.transport
        var sent = true
        var message = "\(error)"
        if let error = error as? HTTPClientError {
            switch error {
            case .deadlineExceeded, .readTimeout, .writeTimeout:
                code = .timeout
                message = "no response within \(configuration.timeout)"
            case .connectTimeout, .getConnectionFromPoolTimeout:
                code = .timeout
                sent = false
                message = "could not connect within \(configuration.timeout)"
            case .remoteConnectionClosed:
                message = "the connection was closed before a complete response arrived"
            case .invalidURL, .emptyHost, .emptyScheme:
                sent = false
                message = "the base URL '\(configuration.baseURL)' is not usable"
            default:
                break
            }
        } else if error is NIOTooManyBytesError {
            return EconomicAPIError(
                code: .invalidResponse, operation: operation,
                message: "the response is larger than \(configuration.maxResponseBytes) bytes", isWrite: isWrite)
        } else if Self.isConnectFailure(error) {
            sent = false
            message = "could not connect to \(configuration.baseURL): \(error)"
        } else if error is CancellationError {
            message = "the call was cancelled"
        }
        return EconomicAPIError(code: code, operation: operation, message: message, isWrite: isWrite, requestMayHaveBeenSent: sent)
            .redacting([configuration.appSecretToken, configuration.agreementGrantToken])
    }

    /// Connection refused / unreachable / DNS failures: the request never left.
    private static func isConnectFailure(_ error: any Error) -> Bool {
        if error is NIOConnectionError { return true }
        if let error = error as? ChannelError, case .connectTimeout = error { return true }
        if let error = error as? IOError {
            return [ECONNREFUSED, ENETUNREACH, EHOSTUNREACH].contains(error.errnoCode)
        }
        return false
    }

    static func describe(decodingError error: any Error) -> String {
        guard let error = error as? DecodingError else { return "\(error)" }
        switch error {
        case .keyNotFound(let key, let context):
            return "missing '\(key.stringValue)' at \(context.codingPath.map(\.stringValue).joined(separator: "."))"
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            return "\(context.debugDescription) at \(context.codingPath.map(\.stringValue).joined(separator: "."))"
        @unknown default:
            return "\(error)"
        }
    }
}

extension Duration {
    var milliseconds: Int64 {
        components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000
    }
}
