import Foundation
import HTTPTypes
import Hummingbird

/// Responses with JSON bodies, and errors in the shape OpenAI and Azure OpenAI
/// use (`{"error": {"message", "type", "code"}}`), which their clients parse.
public enum JSONReply {
    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = .sortedKeys
        return encoder
    }()

    /// `value` as JSON, keys in snake case and sorted.
    public static func encode(_ value: some Encodable) -> [UInt8] {
        // Headroom's reply types are plain structs of strings and numbers, which always encode.
        (try? Array(encoder.encode(value))) ?? []
    }

    /// A response of `status` with a JSON `body` and `headers`.
    public static func response(_ status: Int, _ body: [UInt8], headers: [(String, String)] = []) -> Response {
        Response(status: .init(code: status), headers: fields(headers + [("content-type", "application/json")]),
                 body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    /// An error response: `message` says what is wrong and what to do.
    public static func error(_ status: Int, _ message: String, type: String, code: String, headers: [(String, String)] = []) -> Response {
        response(status, errorBody(message, type: type, code: code), headers: headers)
    }

    /// The body of an error response.
    public static func errorBody(_ message: String, type: String, code: String) -> [UInt8] {
        encode(ErrorBody(error: .init(message: message, type: type, code: code)))
    }

    /// The body of an error as Anthropic writes it: `{"type": "error", "error": {"type", "message"}}`.
    public static func anthropicErrorBody(_ message: String, type: String) -> [UInt8] {
        encode(AnthropicErrorBody(error: .init(type: type, message: message)))
    }

    /// Header fields from name-value pairs; names that are not valid HTTP field names are left out.
    public static func fields(_ pairs: [(String, String)]) -> HTTPFields {
        var fields = HTTPFields()
        for (name, value) in pairs {
            if let name = HTTPField.Name(name) { fields.append(HTTPField(name: name, value: value)) }
        }
        return fields
    }

    private struct AnthropicErrorBody: Encodable {
        struct Detail: Encodable {
            var type: String
            var message: String
        }

        var type = "error"
        var error: Detail
    }

    private struct ErrorBody: Encodable {
        struct Detail: Encodable {
            var message: String
            var type: String
            var code: String
        }

        var error: Detail
    }
}
