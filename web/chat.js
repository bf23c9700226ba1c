// Mounts the rasa-webchat widget with the settings served by the page server (/config.json):
// the French texts of web/widget.json and the URL of the Rasa server's socket.io channel.
(function () {
  fetch("/config.json")
    .then(function (response) { return response.json(); })
    .then(function (config) {
      window.WebChat.default(
        Object.assign({}, config, {
          socketPath: "/socket.io/",
          embedded: true,
          withRules: false,
          showFullScreenButton: false,
          hideWhenNotConnected: false,
          params: { storage: "session" }
        }),
        document.getElementById("webchat")
      );
    });
})();
