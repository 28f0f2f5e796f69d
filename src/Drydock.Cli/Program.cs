using Drydock.Cli;

return await Entry.RunAsync(args, Environment.GetEnvironmentVariable).ConfigureAwait(false);
