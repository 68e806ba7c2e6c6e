namespace PostRvq.Viz

open System
open System.Diagnostics
open System.IO

/// Chromium could not be found or failed; the message says how to fix it.
type ChromiumException(message: string) =
    inherit Exception(message)

/// Runs Debian's headless Chromium. It is found through POSTRVQ_CHROMIUM, then `chromium` and
/// `chromium-browser` on PATH; nothing is ever downloaded.
[<AbstractClass; Sealed>]
type Chromium =
    static member private OnPath(name: string) =
        (Environment.GetEnvironmentVariable "PATH" |> Option.ofObj |> Option.defaultValue "").Split(Path.PathSeparator)
        |> Array.filter (fun dir -> dir <> "")
        |> Array.map (fun dir -> Path.Combine(dir, name))
        |> Array.tryFind File.Exists

    /// The path of the Chromium executable; throws ChromiumException with the install command if there is none.
    static member Find() : string =
        match Environment.GetEnvironmentVariable "POSTRVQ_CHROMIUM" with
        | null | "" ->
            [ "chromium"; "chromium-browser" ]
            |> List.tryPick Chromium.OnPath
            |> Option.defaultWith (fun () ->
                raise (ChromiumException "Chromium was not found on PATH (nor in POSTRVQ_CHROMIUM). SVG and PNG export use Debian's headless Chromium: install it with `sudo apt-get install -y chromium`."))
        | path when File.Exists path -> path
        | path -> raise (ChromiumException $"POSTRVQ_CHROMIUM names {path}, which does not exist.")

    /// Loads an HTML file headless, lets its scripts run for up to budgetMs of virtual time, and returns the DOM.
    static member DumpDom(htmlPath: string, budgetMs: int, timeout: TimeSpan) : string =
        let profile = Directory.CreateTempSubdirectory "postrvq-chromium-"
        try
            let info = ProcessStartInfo(Chromium.Find(), RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false)
            for argument in
                [ "--headless"; "--no-sandbox"; "--disable-gpu"; "--no-first-run"; "--disable-background-networking"
                  "--disable-component-update"; "--disable-sync"; $"--user-data-dir={profile.FullName}"
                  $"--virtual-time-budget={budgetMs}"; "--dump-dom"; Uri(Path.GetFullPath htmlPath).AbsoluteUri ] do
                info.ArgumentList.Add argument
            use proc = nonNull (Process.Start info)
            let stderr = proc.StandardError.ReadToEndAsync()
            let dom = proc.StandardOutput.ReadToEnd()
            if not (proc.WaitForExit timeout) then
                proc.Kill true
                raise (ChromiumException $"Chromium did not finish within {timeout.TotalSeconds} s.")
            if proc.ExitCode <> 0 then
                raise (ChromiumException $"Chromium exited with code {proc.ExitCode}: {stderr.Result}")
            dom
        finally
            try profile.Delete true with :? IOException -> ()
