import HeadroomCore
import Testing
@testable import HeadroomSimulator

@Suite("Deployment index")
struct DeploymentIndexTests {
    @Test("Finds every deployment by the very name it was given, among few or many", arguments: [1, 3, 8, 40])
    func sameNames(count: Int) {
        let names = (0 ..< count).map { DeploymentID("deployment-\($0)") }
        let index = DeploymentIndex(names)
        #expect(names.map { index.position(of: $0) } == Array(0 ..< count))
        #expect(index.position(of: DeploymentID("deployment-\(count)")) == nil)
    }

    @Test("Finds an equal name built anew, and no name that is not there")
    func otherBits() {
        let long = "a-deployment-name-too-long-to-be-stored-inline"
        let index = DeploymentIndex([DeploymentID("east"), DeploymentID(long)])
        let rebuilt = DeploymentID(String(long.reversed().reversed()))
        #expect(index.position(of: rebuilt) == 1)
        #expect(index.position(of: DeploymentID("east")) == 0)
        #expect(index.position(of: DeploymentID("west")) == nil)
        #expect(index.position(of: DeploymentID(long + "!")) == nil)
    }
}
