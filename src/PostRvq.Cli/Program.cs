return PostRvq.Cli.PostRvqCli.Run(args);
