fn main() -> std::process::ExitCode {
    bridgeway::cli::main()
}
