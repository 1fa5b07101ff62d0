namespace ScaleBox.Sandbox.Processes
{
    /// <summary>How a streaming process cmdlet renders what the process writes.</summary>
    public enum ProcessOutputMode
    {
        /// <summary>Output records (Pid, Stream, Text, Bytes) as chunks arrive, then the exit record.</summary>
        Records,

        /// <summary>Standard output (or terminal) lines as strings; standard error lines shown on the host.</summary>
        Text,
    }
}
