// Redirected to a file or a CI log, Spectre assumes 80 columns and squeezes wide tables; a log has room for more.
if (Console.IsOutputRedirected) Spectre.Console.AnsiConsole.Profile.Width = 160;
PostRvq.Cli.HeapPolicy.ApplyFor(args);
return PostRvq.Cli.PostRvqCli.Run(args);
