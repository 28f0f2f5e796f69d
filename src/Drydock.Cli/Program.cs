using Drydock.Cli;

return await Entry.RunAsync(args).ConfigureAwait(false);
