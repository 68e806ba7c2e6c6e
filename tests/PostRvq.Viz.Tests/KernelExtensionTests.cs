using Microsoft.DotNet.Interactive;
using PostRvq.Interactive;

namespace PostRvq.Viz.Tests;

public class KernelExtensionTests
{
    [Fact]
    public void The_extension_is_a_class_dotnet_interactive_can_load_from_the_package()
    {
        // .NET Interactive instantiates every public IKernelExtension of interactive-extensions/dotnet/*.dll.
        var type = typeof(PostRvqKernelExtension);
        Assert.True(type.IsPublic && !type.IsAbstract);
        Assert.True(typeof(IKernelExtension).IsAssignableFrom(type));
        Assert.NotNull(type.GetConstructor(Type.EmptyTypes));
    }

    [Fact]
    public void Preparing_the_natives_finds_the_build_output_already_patched_and_loads_torchsharp()
    {
        // The build patched this test host's copy, so loading the extension changes nothing and reports nothing.
        Assert.Empty(TorchSharpNatives.Prepare());
        Assert.Equal(6f, TorchSharp.torch.full(3, 2f).sum().item<float>());
    }
}
