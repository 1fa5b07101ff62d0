namespace ScaleBox.Sandbox.Agent.Files;

/// <summary>The JSON body of a file endpoint's error; <see cref="Code"/> repeats the HTTP status.</summary>
public sealed record FileErrorBody(int Code, string Message);
