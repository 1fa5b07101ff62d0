using ScaleBox.Sandbox.Agent.Hosting;

// The local sandbox agent. It serves the sandbox agent API on loopback only, with real files and
// real processes (pipes and PTYs). It is not a sandbox: it acts with the rights of whoever starts it.
return await AgentHost.RunAsync(args);
