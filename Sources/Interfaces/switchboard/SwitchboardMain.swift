import ArgumentParser
import SwitchboardCLI

/// The `switchboard` executable: everything it does lives in `SwitchboardCLI`.
@main
struct SwitchboardMain {
    static func main() async {
        await Switchboard.main(nil)
    }
}
