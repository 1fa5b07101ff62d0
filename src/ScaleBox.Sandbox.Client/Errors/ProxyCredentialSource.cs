namespace ScaleBox.Sandbox.Client.Errors;

/// <summary>What a session offered a proxy that asked who it is: the wording of a refusal depends on it.</summary>
internal enum ProxyCredentialSource
{
    /// <summary>No credential: the proxy asked for one.</summary>
    None,

    /// <summary>A user and password (-ProxyCredential, or written into the proxy's URL).</summary>
    Given,

    /// <summary>The signed-in user's credentials (-ProxyUseDefaultCredentials).</summary>
    SignedInUser,
}
