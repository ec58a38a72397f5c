import HeadroomAdapters
import Testing

@Suite("Redaction")
struct RedactionTests {
    static let redaction = Redaction(secrets: ["sk-live-0123456789abcdef", "3f9a1c2b7d4e5f60a1b2c3d4e5f6a7b8"],
                                     addresses: ["https://east.openai.azure.com": "east"])

    @Test("Keys, whole, masked or key-shaped, and upstream addresses are taken out", arguments: [
        ("Incorrect API key provided: sk-live-0123456789abcdef.", "Incorrect API key provided: <redacted>."),
        ("Incorrect API key provided: sk-live-***cdef.", "Incorrect API key provided: <redacted>."),
        ("key 3f9a1c2b…c3d4e5f6a7b8 refused", "key <redacted>…c3d4<redacted> refused"),
        ("Could not connect to https://east.openai.azure.com/openai/deployments/x", "Could not connect to <upstream of 'east'>/openai/deployments/x"),
        ("The server had an error while processing your request.", "The server had an error while processing your request."),
    ])
    func redacts(_ text: String, _ expected: String) {
        #expect(Self.redaction.apply(text) == expected)
    }
}
